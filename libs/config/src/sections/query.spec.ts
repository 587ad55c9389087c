import { ConfigError, loadConfig } from '../load-config';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://archive-bucket/flux' };

describe('query admission settings', () => {
  it('gives each token one of the two slots and bounds the queue by default', () => {
    expect(loadConfig(base).query).toMatchObject({ maxConcurrent: 2, admission: { maxConcurrentPerToken: 1, maxQueued: 100, maxQueuedPerToken: 10 } });
  });

  it('names a per-token bound larger than the whole', () => {
    let err: unknown;
    try {
      loadConfig({ ...base, FLUX_QUERY_MAX_CONCURRENT: '2', FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: '3', FLUX_QUERY_MAX_QUEUED: '5', FLUX_QUERY_MAX_QUEUED_PER_TOKEN: '6' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.key).sort()).toEqual(['FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN', 'FLUX_QUERY_MAX_QUEUED_PER_TOKEN']);
    expect((err as ConfigError).message).toMatch(/FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN must be at most FLUX_QUERY_MAX_CONCURRENT \(2\)/);
  });
});
