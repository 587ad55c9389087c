import { useSyncExternalStore } from 'react';

const KEY = 'flux.token';
const listeners = new Set<() => void>();

/**
 * The bearer token the console calls the APIs with. It lives in sessionStorage (gone when the tab closes, never sent
 * as a cookie). A sign-in link `/#token=...` (what `fluxcap dev` prints) is read once and removed from the address
 * bar, so the token does not stay in the history or get copied along with a shared link.
 */
export function takeTokenFromLocation(): void {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return;
  setToken(decodeURIComponent(match[1]));
  const rest = window.location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&?$/, '');
  window.history.replaceState(window.history.state, '', `${window.location.pathname}${window.location.search}${rest}`);
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

export function useToken(): string | null {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    getToken,
  );
}
