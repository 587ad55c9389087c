import { useSyncExternalStore } from 'react';

const KEY = 'flux.token';
const listeners = new Set<() => void>();

/**
 * The bearer token the console calls the APIs with. It lives in sessionStorage (gone when the tab closes, never sent
 * as a cookie). A sign-in link `/#token=...` (what `fluxcap dev` prints) is read once and removed from the address
 * bar, so the token does not stay in the history or get copied along with a shared link.
 */
export function takeTokenFromLocation(): void {
  const taken = tokenFromFragment(window.location.hash);
  if (!taken) return;
  if ('token' in taken) setToken(taken.token);
  else setToken(null, taken.error);
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${taken.rest}`);
}

/**
 * The token of a `#token=...` fragment and the fragment without it; a token that cannot be decoded (a stray `%`)
 * is an error for the sign-in page instead of an exception that would leave a blank page.
 */
export function tokenFromFragment(hash: string): ({ token: string } | { error: string }) & { rest: string } | null {
  const match = /(?:^#|&)token=([^&]*)/.exec(hash);
  if (!match) return null;
  const others = hash.replace(/^#/, '').split('&').filter((part) => !part.startsWith('token='));
  const rest = others.length ? `#${others.join('&')}` : '';
  try {
    const token = decodeURIComponent(match[1]).trim();
    return token ? { token, rest } : { error: 'The sign-in link has an empty token. Paste the token below.', rest };
  } catch {
    return { error: 'The sign-in link is damaged (its token is not URL-encoded correctly). Copy the whole link again, or paste the token below.', rest };
  }
}

export function getToken(): string | null {
  return window.sessionStorage.getItem(KEY);
}

/** Why the user was last signed out by the console itself (a token the API no longer accepts), for the sign-in page. */
export let signOutReason: string | null = null;

export function setToken(token: string | null, reason: string | null = null): void {
  signOutReason = reason;
  if (token) window.sessionStorage.setItem(KEY, token.trim());
  else window.sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

/** Calls `listener` whenever the token is set or cleared (sign-in, sign-out, the sign-out on a 401). */
export function onTokenChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useToken(): string | null {
  return useSyncExternalStore(onTokenChange, getToken);
}
