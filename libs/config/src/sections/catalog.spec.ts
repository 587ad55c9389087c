import { ConfigError, loadConfig } from '../load-config';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://archive-bucket/flux' };

describe('catalog settings', () => {
  it('leaves every metastore sync off by default', () => {
    const c = loadConfig(base).catalog;
    expect(c).toMatchObject({ schemaSampleRecords: 10000, hive: undefined, glue: undefined, drill: undefined, metastoreStrict: false });
  });

  it('compacts closed hours by default, an hour after they end, deleting what it replaced a day later', () => {
    expect(loadConfig(base).catalog.compaction).toEqual({
      enabled: true,
      settleMs: 3_600_000,
      intervalMs: 300_000,
      graceMs: 86_400_000,
      maxInputBytes: 512 * 1024 * 1024,
      memoryBytes: 256 * 1024 * 1024,
      tempDir: undefined,
    });
    expect(loadConfig({ ...base, FLUX_CATALOG_COMPACTION: 'false' }).catalog.compaction.enabled).toBe(false);
  });

  it('compacts with Hive and Glue (their partitions move), leaves it off with Drill and refuses it there when asked for', () => {
    expect(loadConfig({ ...base, FLUX_HIVE_METASTORE_URI: 'thrift://metastore:9083', FLUX_GLUE_DATABASE: 'flux_archive' }).catalog.compaction.enabled).toBe(true);
    expect(loadConfig({ ...base, FLUX_DRILL_URL: 'http://drill:8047' }).catalog.compaction.enabled).toBe(false);
    expect(() => loadConfig({ ...base, FLUX_DRILL_URL: 'http://drill:8047', FLUX_CATALOG_COMPACTION: 'true' })).toThrow(/FLUX_CATALOG_COMPACTION cannot be on with FLUX_DRILL_URL/);
    expect(() => loadConfig({ ...base, FLUX_CATALOG_COMPACT_SETTLE_MINUTES: '-1' })).toThrow(/FLUX_CATALOG_COMPACT_SETTLE_MINUTES/);
  });

  it('turns each metastore on from its own settings', () => {
    const c = loadConfig({
      ...base,
      FLUX_HIVE_METASTORE_URI: 'thrift://metastore.internal:9083',
      FLUX_HIVE_DATABASE: 'kinesis_archive',
      FLUX_GLUE_DATABASE: 'flux_archive',
      FLUX_GLUE_CATALOG_ID: '123456789012',
      FLUX_CATALOG_DRILL_VIEWS: 'true',
      FLUX_DRILL_URL: 'http://drill:8047/',
      FLUX_DRILL_SCHEMA: 'dfs.views',
      FLUX_CATALOG_DRILL_ARCHIVE_SCHEMA: 's3.archive',
    }).catalog;
    expect(c.hive).toEqual({ host: 'metastore.internal', port: 9083, database: 'kinesis_archive' });
    expect(c.glue).toEqual({ database: 'flux_archive', catalogId: '123456789012', endpoint: undefined });
    expect(c.drill).toEqual({ url: 'http://drill:8047', viewSchema: 'dfs.views', archiveSchema: 's3.archive' });
  });

  it('names the bad keys', () => {
    const err = (() => {
      try {
        loadConfig({ ...base, FLUX_HIVE_METASTORE_URI: 'http://metastore:9083', FLUX_GLUE_DATABASE: 'bad-name', FLUX_CATALOG_DRILL_VIEWS: 'true' });
      } catch (e) {
        return e;
      }
    })() as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.key).sort()).toEqual(['FLUX_GLUE_DATABASE', 'FLUX_HIVE_METASTORE_URI']);
    expect(() => loadConfig({ ...base, FLUX_CATALOG_DRILL_VIEWS: 'true' })).toThrow(/FLUX_DRILL_URL is required when FLUX_CATALOG_DRILL_VIEWS is true/);
  });
});
