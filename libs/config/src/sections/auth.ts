import { z } from 'zod';

export const API_ROLES = ['query', 'replay', 'admin'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export const authEnv = z.object({
  FLUX_API_TOKENS: z
    .string()
    .default('')
    .describe(
      'Bearer tokens the HTTP APIs accept: comma-separated `token:role+role` (roles: query, replay, admin). `fluxcap dev` generates one with every role.',
    ),
});

export interface AuthConfig {
  /** token -> roles it grants */
  tokens: Map<string, Set<ApiRole>>;
}

export function buildAuth(env: z.infer<typeof authEnv>, addIssue: (key: string, message: string) => void): AuthConfig {
  const tokens = new Map<string, Set<ApiRole>>();
  for (const entry of env.FLUX_API_TOKENS.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [token, roleList] = entry.split(':');
    if (!token || token.length < 16 || !roleList) {
      addIssue('FLUX_API_TOKENS', 'each entry must be token:role+role with a token of at least 16 characters');
      continue;
    }
    const roles = new Set<ApiRole>();
    for (const role of roleList.split('+')) {
      if (!(API_ROLES as readonly string[]).includes(role)) {
        addIssue('FLUX_API_TOKENS', `unknown role "${role}" (expected ${API_ROLES.join(', ')})`);
      } else roles.add(role as ApiRole);
    }
    tokens.set(token, roles);
  }
  return { tokens };
}
