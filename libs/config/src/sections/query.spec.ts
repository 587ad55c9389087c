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
