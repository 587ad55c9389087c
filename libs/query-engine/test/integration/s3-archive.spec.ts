import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { QueryService, type QueryCatalog } from '@flux-capacitor/query-engine';
import { ArchiveObjectCache } from '../../src/archive-object-cache';
import { DuckDbEngine } from '../../src/duckdb-engine';
import { SqlAnalyzer } from '../../src/sql-analysis';
import { testConfig, uniqueName, writeSyntheticArchive, type SyntheticObject } from '@flux-capacitor/testing';

const START = Date.UTC(2026, 0, 1);
let root: string;
let s3: S3Client;
let bucket: string;
let objects: (SyntheticObject & { s3Uri: string })[];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-qs3-'));
  s3 = createS3Client(testConfig().aws);
  bucket = uniqueName('flux-q');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const written = await writeSyntheticArchive({ directory: join(root, 'local'), stream: 'orders', shards: 2, recordsPerShardHour: 50, hours: 4, startMs: START });
  objects = [];
  for (const o of written) {
    const key = `archive/${o.path.slice(join(root, 'local').length + 1)}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(o.path) }));
    objects.push({ ...o, s3Uri: `s3://${bucket}/${key}` });
  }
});

afterAll(() => {
  s3?.destroy();
  rmSync(root, { recursive: true, force: true });
});

const catalog: QueryCatalog = {
  listObjects: async (_stream, range = {}) =>
    objects
      .filter((o) => (!range.from || o.lastArrivalTime >= range.from) && (!range.to || o.firstArrivalTime <= range.to))
      .map((o) => ({ uri: o.s3Uri, layout: o.layout, shards: o.shards })),
  shardHighWatermarks: async () => new Map(),
};

describe('queries over an S3 archive (s3rver)', () => {
  it('downloads only the pruned objects into a bounded cache and evicts the least recently used', async () => {
    const cacheDir = join(root, 'cache');
    const perObject = Math.max(...objects.map((o) => o.bytes));
    // room for about three objects
    const store = createArchiveStore(testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive` }).archive, s3);
    const cache = new ArchiveObjectCache({ directory: cacheDir, maxBytes: perObject * 3, store });
    const work = mkdtempSync(join(root, 'work-'));
    const svc = new QueryService({
      catalog,
      analyzer: new SqlAnalyzer(),
      duckdb: new DuckDbEngine({ workDir: work, threads: 1, memoryLimit: '256MB' }),
      cache,
      limits: { defaultEngine: 'duckdb', timeoutMs: 30_000, maxRows: 1000, syncMaxRows: 1000, maxConcurrent: 1, resultTtlMs: 60_000, live: { enabled: false, maxRecords: 0, budgetMs: 0 } },
    });
    try {
      // One hour of two shards: two objects.
      const hour = await svc.runSync({ sql: "SELECT count(*) AS n FROM orders WHERE arrival_time BETWEEN '2026-01-01 01:00' AND '2026-01-01 01:59'" });
      expect(await hour.result.readJsonLines(0, 1)).toEqual(['{"n":100}']);
      hour.result.close();
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.parquet'))).toHaveLength(2);

      // The whole stream: all eight objects are pinned while it runs, then the cache shrinks back under its bound.
      const all = await svc.runSync({ sql: 'SELECT count(*) AS n, count(DISTINCT sequence_number || shard_id) AS k FROM orders' });
      expect(await all.result.readJsonLines(0, 1)).toEqual(['{"n":400,"k":400}']);
      all.result.close();
      expect(all.status.progress.objectsTotal).toBe(8);
      expect(cache.cachedBytes).toBeLessThanOrEqual(perObject * 3);
      expect(readdirSync(cacheDir).filter((f) => f.endsWith('.parquet')).length).toBeLessThanOrEqual(3);
    } finally {
      svc.close();
    }
  });

  it('answers a query over a catalogued object the archive no longer holds as unavailable, naming the fix', async () => {
    const store = createArchiveStore(testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive` }).archive, s3);
    const cache = new ArchiveObjectCache({ directory: join(root, 'cache-missing'), maxBytes: 1 << 30, store });
    const ghost = { ...objects[0], s3Uri: objects[0].s3Uri.replace(/\.parquet$/, '-deleted.parquet') };
    const svc = new QueryService({
      catalog: { ...catalog, listObjects: async () => [{ uri: ghost.s3Uri, layout: ghost.layout, shards: ghost.shards }] },
      analyzer: new SqlAnalyzer(),
      duckdb: new DuckDbEngine({ workDir: mkdtempSync(join(root, 'work-')), threads: 1, memoryLimit: '256MB' }),
      cache,
      limits: { defaultEngine: 'duckdb', timeoutMs: 30_000, maxRows: 1000, syncMaxRows: 1000, maxConcurrent: 1, resultTtlMs: 60_000, live: { enabled: false, maxRecords: 0, budgetMs: 0 } },
    });
    try {
      await expect(svc.runSync({ sql: 'SELECT count(*) FROM orders' })).rejects.toMatchObject({
        kind: 'unavailable',
        code: 'ARCHIVE_OBJECT_MISSING',
        message: expect.stringContaining('fluxcap catalog rebuild'),
      });
    } finally {
      svc.close();
    }
  });
});
