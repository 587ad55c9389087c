import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, loadDatabaseSettings } from './load-config';

const valid = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://flux-archive/archive' };
const parts = { DATABASE_HOST: 'db.example.com', DATABASE_NAME: 'flux', DATABASE_USER: 'flux', DATABASE_PASSWORD: 'p@ss' };

function issues(load: () => unknown): { key: string; message: string }[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('database TLS settings', () => {
  const ca = join(mkdtempSync(join(tmpdir(), 'flux-ca-')), 'ca.pem');
  writeFileSync(ca, '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n');

  it('are none by default, and carried into config.database with DATABASE_URL or with the discrete parts', () => {
    expect(loadConfig(valid).database.tls).toEqual({});
    expect(loadConfig({ ...valid, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: ca }).database.tls).toEqual({ mode: 'verify-full', caFile: ca });
    const { DATABASE_URL: _url, ...rest } = valid;
    expect(loadConfig({ ...rest, ...parts, DATABASE_SSL_MODE: 'require' }).database).toMatchObject({ url: 'postgres://flux:p%40ss@db.example.com:5432/flux', tls: { mode: 'require' } });
    expect(loadDatabaseSettings({ ...parts, DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: ca })).toEqual({ url: 'postgres://flux:p%40ss@db.example.com:5432/flux', tls: { mode: 'verify-ca', caFile: ca } });
  });

  it('name a mode libpq does not have (or that would fall back to plain text), and a CA file that cannot be read', () => {
    expect(issues(() => loadConfig({ ...valid, DATABASE_SSL_MODE: 'verify_full' }))).toEqual([{ key: 'DATABASE_SSL_MODE', message: 'must be one of disable, require, verify-ca, verify-full' }]);
    expect(issues(() => loadConfig({ ...valid, DATABASE_SSL_CA_FILE: '/nonexistent/rds.pem' }))).toEqual([{ key: 'DATABASE_SSL_CA_FILE', message: 'cannot read /nonexistent/rds.pem (ENOENT)' }]);
    expect(issues(() => loadConfig({ ...valid, DATABASE_URL: `${valid.DATABASE_URL}?sslmode=prefer` }))[0]).toMatchObject({ key: 'DATABASE_URL', message: expect.stringMatching(/^sslmode=prefer is not supported/) });
    expect(issues(() => loadDatabaseSettings({ ...parts, DATABASE_SSL_MODE: 'on' }))[0].key).toBe('DATABASE_SSL_MODE');
    expect(issues(() => loadDatabaseSettings({ ...parts, DATABASE_SSL_CA_FILE: '/nonexistent/rds.pem' }))[0].key).toBe('DATABASE_SSL_CA_FILE');
  });
});
