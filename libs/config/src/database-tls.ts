import { accessSync, constants } from 'node:fs';
import { z } from 'zod';

/** libpq's `sslmode` values the services honour (persistence's postgres-tls.ts applies them). */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;

/** TLS to Postgres; unset, the URL's own `sslmode` and `sslrootcert` apply. */
export const databaseTlsEnv = {
  DATABASE_SSL_MODE: z
    .enum(DATABASE_SSL_MODES, { message: `must be one of ${DATABASE_SSL_MODES.join(', ')}` })
    .optional()
    .describe(
      'TLS to Postgres, with libpq\'s meaning: `disable`, `require` (encrypted, certificate not checked), `verify-ca` (signed by the CA), `verify-full` (and issued for the host). Wins over `sslmode` in DATABASE_URL; unset, that applies (none: no TLS). The CDK app sets verify-full.',
    ),
  DATABASE_SSL_CA_FILE: z
    .string()
    .min(1)
    .optional()
    .describe('PEM file of the CA(s) the Postgres server certificate must chain to (e.g. the Amazon RDS bundle); wins over `sslrootcert` in DATABASE_URL. Unset, verify-ca and verify-full use Node\'s trust store.'),
};

export interface DatabaseTls {
  mode?: (typeof DATABASE_SSL_MODES)[number];
  caFile?: string;
}

/** The TLS settings, checked at start: an unreadable CA file or an sslmode the URL cannot have is named now. */
export function buildDatabaseTls(env: { DATABASE_URL: string; DATABASE_SSL_MODE?: DatabaseTls['mode']; DATABASE_SSL_CA_FILE?: string }, addIssue: (key: string, message: string) => void): DatabaseTls {
  if (env.DATABASE_SSL_CA_FILE) {
    try {
      accessSync(env.DATABASE_SSL_CA_FILE, constants.R_OK);
    } catch (err) {
      addIssue('DATABASE_SSL_CA_FILE', `cannot read ${env.DATABASE_SSL_CA_FILE} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
  }
  const urlMode = sslModeOf(env.DATABASE_URL);
  if (urlMode !== undefined && !(DATABASE_SSL_MODES as readonly string[]).includes(urlMode)) {
    addIssue('DATABASE_URL', `sslmode=${urlMode} is not supported: use ${DATABASE_SSL_MODES.join(', ')} (allow and prefer fall back to plain text, which the driver cannot), or set DATABASE_SSL_MODE`);
  }
  return { ...(env.DATABASE_SSL_MODE ? { mode: env.DATABASE_SSL_MODE } : {}), ...(env.DATABASE_SSL_CA_FILE ? { caFile: env.DATABASE_SSL_CA_FILE } : {}) };
}

function sslModeOf(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('sslmode') ?? undefined;
  } catch {
    return undefined;
  }
}
