import { ConfigError, loadConfig } from '../load-config';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://archive-bucket/flux' };

describe('query admission settings', () => {
  it('gives each token one of the two slots and bounds the queue by default', () => {
    expect(loadConfig(base).query).toMatchObject({ maxConcurrent: 2, admission: { maxConcurrentPerToken: 1, maxQueued: 100, maxQueuedPerToken: 10 } });
  });

  it('caps the per-token bounds at the whole, so lowering only the whole is enough', () => {
    const { admission } = loadConfig({ ...base, FLUX_QUERY_MAX_CONCURRENT: '1', FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: '4', FLUX_QUERY_MAX_QUEUED: '5' }).query;
    expect(admission).toEqual({ maxConcurrentPerToken: 1, maxQueued: 5, maxQueuedPerToken: 5 });
  });

  it('names a bad bound', () => {
    let err: unknown;
    try {
      loadConfig({ ...base, FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: '0', FLUX_QUERY_MAX_QUEUED: 'lots' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.key).sort()).toEqual(['FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN', 'FLUX_QUERY_MAX_QUEUED']);
  });
});

describe('PostgreSQL endpoint settings', () => {
  it('is off unless FLUX_PG_PORT is set', () => {
    expect(loadConfig(base).query.pg).toBeUndefined();
    expect(loadConfig({ ...base, FLUX_PG_PORT: '5433' }).query.pg).toEqual({ port: 5433, host: undefined, tls: undefined, allowPlaintext: false });
  });

  it('takes a host and a certificate with its key', () => {
    expect(loadConfig({ ...base, FLUX_PG_PORT: '5433', FLUX_PG_HOST: '0.0.0.0', FLUX_PG_TLS_CERT: '/c.pem', FLUX_PG_TLS_KEY: '/k.pem' }).query.pg).toEqual({
      port: 5433,
      host: '0.0.0.0',
      tls: { certFile: '/c.pem', keyFile: '/k.pem' },
      allowPlaintext: false,
    });
    expect(loadConfig({ ...base, FLUX_PG_PORT: '5433', FLUX_PG_ALLOW_PLAINTEXT: 'true' }).query.pg?.allowPlaintext).toBe(true);
  });

  it('names a bad port, and a certificate without its key', () => {
    const issuesOf = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (e) {
        return e instanceof ConfigError ? e.issues.map((i) => i.key) : [String(e)];
      }
      return [];
    };
    expect(issuesOf({ FLUX_PG_PORT: 'psql' })).toEqual(['FLUX_PG_PORT']);
    expect(issuesOf({ FLUX_PG_PORT: '5433', FLUX_PG_TLS_CERT: '/c.pem' })).toEqual(['FLUX_PG_TLS_KEY']);
  });
});
