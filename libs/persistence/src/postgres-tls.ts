import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';

/** libpq's `sslmode` values this project honours (`allow` and `prefer` fall back to plain text, which pg cannot). */
export const SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** TLS to Postgres as the settings give it (DATABASE_SSL_MODE, DATABASE_SSL_CA_FILE); each wins over the URL's own. */
export interface PostgresTlsSettings {
  mode?: SslMode;
  caFile?: string;
}

/** The URL without its TLS parameters, and the `ssl` option node-postgres takes instead. */
export interface PostgresConnection {
  url: string;
  ssl: false | ConnectionOptions;
}

/** URL parameters that pg-connection-string would turn into TLS options of its own (see resolvePostgresTls). */
const TLS_PARAMS = ['sslmode', 'sslrootcert'];

export class PostgresTlsError extends Error {
  override readonly name = 'PostgresTlsError';
}

/**
 * TLS with libpq's meaning of `sslmode` (PostgreSQL "SSL Support"), which node-postgres does not keep:
 * pg-connection-string 2.x reads `require` and `verify-ca` as `verify-full`, so `sslmode=require` fails against a
 * server whose CA Node does not trust (Amazon RDS), and would pass settings of its own over ours. So the TLS
 * parameters are taken out of the URL and given to pg as its `ssl` option:
 *
 * - `disable` (and no sslmode at all, as before): no TLS.
 * - `require`: encrypted, the certificate not checked; with a CA file, checked as `verify-ca` (libpq does the same).
 * - `verify-ca`: the chain must lead to the CA; the host name is not compared.
 * - `verify-full`: the chain and the host name.
 *
 * The CA is `sslrootcert` (URL) or DATABASE_SSL_CA_FILE, a PEM file that may hold several certificates (the RDS
 * bundle); without one, verify-* use Node's trust store (libpq's `sslrootcert=system`). `sslcert`/`sslkey` (client
 * certificates) are not supported and are refused rather than ignored.
 */
export function resolvePostgresTls(url: string, settings: PostgresTlsSettings = {}): PostgresConnection {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // not a URL pg would take either; let pg report it
    return { url, ssl: false };
  }
  const param = (name: string) => parsed.searchParams.get(name) ?? undefined;
  for (const unsupported of ['sslcert', 'sslkey']) {
    if (param(unsupported) !== undefined) throw new PostgresTlsError(`DATABASE_URL: ${unsupported} (client certificates) is not supported; authenticate with a password or IAM`);
  }
  // node-postgres' own switches, whose meaning differs from libpq's: one way to say it, sslmode
  for (const own of ['ssl', 'uselibpqcompat', 'sslnegotiation']) {
    if (param(own) !== undefined) throw new PostgresTlsError(`DATABASE_URL: ${own}= is node-postgres' own parameter; say sslmode=${SSL_MODES.join('|')} instead`);
  }
  const urlMode = param('sslmode');
  if (urlMode !== undefined && !(SSL_MODES as readonly string[]).includes(urlMode)) {
    throw new PostgresTlsError(`DATABASE_URL: sslmode=${urlMode} is not supported: use ${SSL_MODES.join(', ')} (allow and prefer fall back to plain text, which node-postgres cannot)`);
  }
  const mode = settings.mode ?? (urlMode as SslMode | undefined) ?? 'disable';
  const caFile = settings.caFile ?? param('sslrootcert');
  for (const p of TLS_PARAMS) parsed.searchParams.delete(p);
  const cleanUrl = parsed.toString();

  if (mode === 'disable') return { url: cleanUrl, ssl: false };
  let ca: Buffer | undefined;
  if (caFile !== undefined && caFile !== 'system') {
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      const source = settings.caFile !== undefined ? 'DATABASE_SSL_CA_FILE' : 'DATABASE_URL sslrootcert';
      throw new PostgresTlsError(`${source}: cannot read ${caFile} (${(err as NodeJS.ErrnoException).code ?? String(err)})`, { cause: err });
    }
  }
  const effective = mode === 'require' && ca ? 'verify-ca' : mode;
  switch (effective) {
    case 'require':
      return { url: cleanUrl, ssl: { rejectUnauthorized: false } };
    case 'verify-ca':
      // the chain is checked by rejectUnauthorized; only the name check is skipped
      return { url: cleanUrl, ssl: { rejectUnauthorized: true, ...(ca ? { ca } : {}), checkServerIdentity: () => undefined } };
    default:
      return { url: cleanUrl, ssl: { rejectUnauthorized: true, ...(ca ? { ca } : {}) } };
  }
}
