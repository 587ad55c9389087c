import { STREAM_NAME_PATTERN } from '@flux-capacitor/contracts';
import { z } from 'zod';

export const API_ROLES = ['query', 'replay', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];


export const authEnv = z.object({
  FLUX_API_TOKENS: z
    .string()
    .default('')
    .describe(
      'Bearer tokens the HTTP APIs accept: comma-separated `token:role+role` (roles: query, replay, admin), optionally limited to streams with `@stream+stream` (`token:query+replay@orders+payments`: every role listed, on those streams only; without `@` every stream). See docs/security.md. `fluxcap dev` generates one with every role.',
    ),
});

/** What one token may do: its roles, on `streams` only when set (undefined = every stream). */
export interface TokenGrant {
  roles: ReadonlySet<ApiRole>;
  streams?: ReadonlySet<string>;
}

export interface AuthConfig {
  /** token -> what it grants */
  tokens: Map<string, TokenGrant>;
}

export function buildAuth(env: z.infer<typeof authEnv>, addIssue: (key: string, message: string) => void): AuthConfig {
  const tokens = new Map<string, TokenGrant>();
  for (const entry of env.FLUX_API_TOKENS.split(',').map((s) => s.trim()).filter(Boolean)) {
    const grant = parseTokenEntry(entry, (message) => addIssue('FLUX_API_TOKENS', message));
    if (!grant) continue;
    // One entry per token: a second would silently replace the first grant (use two tokens for two grants).
    if (tokens.has(grant.token)) addIssue('FLUX_API_TOKENS', `a token is listed twice (the entry ending "${entry.slice(entry.indexOf(':'))}")`);
    tokens.set(grant.token, { roles: grant.roles, ...(grant.streams ? { streams: grant.streams } : {}) });
  }
  return { tokens };
}

/** One `token:role+role[@stream+stream]` entry; reports what is wrong (never the token itself) and returns undefined. */
function parseTokenEntry(entry: string, issue: (message: string) => void): (TokenGrant & { token: string }) | undefined {
  const colon = entry.indexOf(':');
  const token = colon < 0 ? entry : entry.slice(0, colon);
  const rest = colon < 0 ? '' : entry.slice(colon + 1);
  const at = rest.indexOf('@');
  const roleList = at < 0 ? rest : rest.slice(0, at);
  if (token.length < 16 || !roleList) {
    issue('each entry must be token:role+role[@stream+stream] with a token of at least 16 characters');
    return undefined;
  }
  let valid = true;
  const roles = new Set<ApiRole>();
  for (const role of roleList.split('+')) {
    if ((API_ROLES as readonly string[]).includes(role)) roles.add(role as ApiRole);
    else {
      issue(`unknown role "${role}" (expected ${API_ROLES.join(', ')})`);
      valid = false;
    }
  }
  let streams: Set<string> | undefined;
  if (at >= 0) {
    streams = new Set();
    for (const stream of rest.slice(at + 1).split('+')) {
      if (STREAM_NAME_PATTERN.test(stream)) streams.add(stream);
      else {
        issue(`"${stream}" after @ is not a valid Kinesis stream name (letters, digits, _ . -, at most 128; streams are joined with +)`);
        valid = false;
      }
    }
  }
  return valid ? { token, roles, streams } : undefined;
}
