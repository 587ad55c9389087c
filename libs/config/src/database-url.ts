import type { ConfigIssue } from './load-config';

/** The parts a database URL is built from when DATABASE_URL is unset (Aurora's secret is separate JSON fields, and ECS injects one field per variable). */
export const DATABASE_PART_KEYS = ['DATABASE_HOST', 'DATABASE_PORT', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;
const REQUIRED_PARTS = ['DATABASE_HOST', 'DATABASE_NAME', 'DATABASE_USER', 'DATABASE_PASSWORD'] as const;

/**
 * DATABASE_URL as given, or built from DATABASE_HOST/PORT/NAME/USER/PASSWORD when it is unset and any part is set.
 * A part set while another required one is missing is a mistake worth naming (a secret that did not resolve), not
 * a reason to fall back to nothing. User, password and database name are URL-encoded: generated passwords carry
 * `@`, `/` and `%`.
 */
export function resolveDatabaseUrl(env: Record<string, string | undefined>): { url?: string; issues: ConfigIssue[] } {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL, issues: [] };
  if (!DATABASE_PART_KEYS.some((key) => env[key])) return { issues: [] };
  const issues: ConfigIssue[] = REQUIRED_PARTS.filter((key) => !env[key]).map((key) => ({
    key,
    message: `is required when DATABASE_URL is unset and ${DATABASE_PART_KEYS.filter((k) => env[k]).join(', ')} ${DATABASE_PART_KEYS.filter((k) => env[k]).length > 1 ? 'are' : 'is'} set`,
  }));
  const port = env.DATABASE_PORT ?? '5432';
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) issues.push({ key: 'DATABASE_PORT', message: 'must be a port number (1-65535)' });
  if (issues.length > 0) return { issues };
  const host = env.DATABASE_HOST!.includes(':') ? `[${env.DATABASE_HOST}]` : env.DATABASE_HOST!;
  const enc = encodeURIComponent;
  return { url: `postgres://${enc(env.DATABASE_USER!)}:${enc(env.DATABASE_PASSWORD!)}@${host}:${port}/${enc(env.DATABASE_NAME!)}`, issues: [] };
}
