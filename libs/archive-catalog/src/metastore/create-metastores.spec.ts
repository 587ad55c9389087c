import { loadConfig } from '@flux-capacitor/config';
import { createMetastores } from './create-metastores';
import { DrillViewSync } from './drill-view-sync';
import { GlueSync } from './glue-sync';
import { HiveMetastoreSync } from './hive-metastore-sync';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 's3://archive-bucket/flux' };

describe('createMetastores', () => {
  it('creates none unless configured', () => {
    const c = loadConfig(base);
    expect(createMetastores(c.catalog, c.aws)).toEqual([]);
  });

  it('creates Hive, Glue and Drill syncs, in that order, from their settings', () => {
    const c = loadConfig({
      ...base,
      FLUX_HIVE_METASTORE_URI: 'thrift://hms:9083',
      FLUX_GLUE_DATABASE: 'flux_archive',
      AWS_ENDPOINT_URL_GLUE: 'http://127.0.0.1:5000',
      FLUX_CATALOG_DRILL_VIEWS: 'true',
      FLUX_DRILL_URL: 'http://drill:8047',
    });
    const syncs = createMetastores(c.catalog, c.aws);
    expect(syncs.map((s) => s.constructor)).toEqual([HiveMetastoreSync, GlueSync, DrillViewSync]);
    expect(syncs.map((s) => s.name)).toEqual(['hive', 'glue', 'drill']);
  });
});
