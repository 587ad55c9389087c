import { CreateBucketCommand, DeleteObjectCommand } from '@aws-sdk/client-s3';
import { ParquetEngine, createArchiveStore, multiShardObjectKey, type ArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { ArchiveObjectInspector, CatalogIngest, CatalogReader, CatalogWriter, metastoreMetrics, rebuildCatalog, type MetastoreSync } from '@flux-capacitor/archive-catalog';
import { MetastoreSyncError } from '../../src/catalog.errors';
import type { StreamTable, TablePartition } from '../../src/metastore/metastore.types';
import { upgradeArchiveObjectWritten, type CatalogPartitionAdded, type ObjectShardRange } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, records, shardRangesOf, testConfig, uniqueName, writeArchiveObject, writeLayout1Object, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';

/** An in-memory metastore that records calls and can be told to fail. */
class RecordingMetastore implements MetastoreSync {
  readonly name = 'recording';
  tables: StreamTable[] = [];
  partitions: string[] = [];
  failNext = 0;
  async ensureTable(table: StreamTable): Promise<void> {
    if (this.failNext > 0) {
      this.failNext--;
      throw new MetastoreSyncError(this.name, 'metastore down');
    }
    this.tables.push(table);
  }
  async addPartitions(_t: StreamTable, ps: TablePartition[]): Promise<void> {
    this.partitions.push(...ps.map((p) => `${p.dt}/${p.hour}`));
  }
}

describe('catalog ingest and rebuild (Postgres + local S3)', () => {
  const bucket = uniqueName('flux-cat');
  const config = testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive` });
  const s3 = createS3Client(config.aws);
  let db: TestDatabase;
  let ds: DataSource;
  let store: ArchiveStore;
  let engine: ParquetEngine;
  let inspector: ArchiveObjectInspector;
  let reader: CatalogReader;
  let writer: CatalogWriter;
  const published: CatalogPartitionAdded[] = [];
  const metastore = new RecordingMetastore();
  let ingest: CatalogIngest;
  let strictIngest: CatalogIngest;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = createArchiveStore(config.archive, s3);
    engine = await ParquetEngine.create({ threads: 1 });
    inspector = await ArchiveObjectInspector.create();
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    reader = new CatalogReader(ds);
    writer = new CatalogWriter(ds);
    const base = { writer, reader, store, inspector, metastores: [metastore], sampleRecords: 1000, publishPartitionAdded: async (p: CatalogPartitionAdded) => void published.push(p) };
    ingest = new CatalogIngest({ ...base, strictMetastores: false });
    strictIngest = new CatalogIngest({ ...base, strictMetastores: true });
  });
  afterAll(async () => {
    engine?.close();
    inspector?.close();
    await ds?.destroy();
    await db?.drop();
    s3.destroy();
  });

  it('catalogues an archived object, infers its schema and announces the new partition once', async () => {
    const msg = await writeArchiveObject(
      store,
      engine,
      records('orders', 'shardId-000000000000', 100n, '2026-11-25T10:00:00.000Z', [{ id: 1, total: 9.5 }, { id: 2, total: 10, note: null }]),
    );
    const out = await ingest.objectWritten(msg);
    expect(out).toMatchObject({ objectAdded: true, partitionAdded: true, schemaVersion: 1, schemaVersionAdded: true, partitionsSynced: 1 });
    expect(published).toEqual([{ stream: 'orders', dt: '2026-11-25', hour: 10, location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=10` }]);
    expect(metastore.tables.map((t) => [t.tableName, t.location])).toEqual([['orders', `s3://${bucket}/archive/orders`]]);
    expect(metastore.partitions).toEqual(['2026-11-25/10']);
    const schema = await reader.getSchema('orders');
    expect(schema?.fields.map((f) => [f.path, f.types.join('|'), f.nullable])).toEqual([
      ['id', 'integer', false],
      ['note', '', true],
      ['total', 'integer|number', false],
    ]);

    const again = await ingest.objectWritten(msg);
    expect(again).toMatchObject({ objectAdded: false, partitionAdded: false, schemaVersionAdded: false, partitionsSynced: 0 });
    expect(published).toHaveLength(1);
    expect(await reader.listObjects('orders')).toHaveLength(1);
  });

  it('adds a schema version when records bring a new field, without announcing an existing partition', async () => {
    const msg = await writeArchiveObject(store, engine, records('orders', 'shardId-000000000001', 200n, '2026-11-25T10:30:00.000Z', [{ id: 3, total: 1, coupon: 'X' }]));
    const out = await ingest.objectWritten(msg);
    expect(out).toMatchObject({ objectAdded: true, partitionAdded: false, schemaVersion: 2, schemaVersionAdded: true });
    expect(published).toHaveLength(1);
    expect((await reader.getSchema('orders'))?.fields.find((f) => f.path === 'coupon')).toMatchObject({ types: ['string'], nullable: true });
    // the schema change re-creates tables/views in the metastores
    expect(metastore.tables.at(-1)?.schema?.version).toBe(2);
  });

  it('catalogues a stream of non-JSON records as binary', async () => {
    const msg = await writeArchiveObject(store, engine, records('clicks', 'shardId-000000000000', 1n, '2026-11-25T11:00:00.000Z', ['\u0001\u0002 raw', 'plain text']));
    await ingest.objectWritten(msg);
    expect(await reader.getStream('clicks')).toMatchObject({ format: 'binary', recordCount: 2 });
    expect((await reader.getSchema('clicks'))?.fields).toEqual([]);
  });

  it('keeps partitions pending while a metastore is down and registers them with the next object', async () => {
    const value = async (metric: typeof metastoreMetrics.syncs | typeof metastoreMetrics.pending, labels: Record<string, string>) =>
      (await metric.get()).values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value ?? 0;
    const errorsBefore = await value(metastoreMetrics.syncs, { target: 'recording', outcome: 'error' });
    const okBefore = await value(metastoreMetrics.syncs, { target: 'recording', outcome: 'ok' });
    metastore.failNext = 1;
    const first = await writeArchiveObject(store, engine, records('orders', 'shardId-000000000000', 300n, '2026-11-25T12:00:00.000Z', [{ id: 4, total: 2 }]));
    const out = await ingest.objectWritten(first);
    expect(out.partitionAdded).toBe(true);
    expect(out.metastoreErrors.map((e) => e.message)).toEqual(['recording: metastore down']);
    expect(metastore.partitions).not.toContain('2026-11-25/12');
    // /metrics: the failed sync, and the partition still pending
    expect(await value(metastoreMetrics.syncs, { target: 'recording', outcome: 'error' })).toBe(errorsBefore + 1);
    expect(await value(metastoreMetrics.pending, { stream: 'orders' })).toBe(1);
    const second = await writeArchiveObject(store, engine, records('orders', 'shardId-000000000000', 400n, '2026-11-25T13:00:00.000Z', [{ id: 5, total: 3 }]));
    expect((await ingest.objectWritten(second)).partitionsSynced).toBe(2);
    expect(metastore.partitions.slice(-2)).toEqual(['2026-11-25/12', '2026-11-25/13']);
    expect(await value(metastoreMetrics.syncs, { target: 'recording', outcome: 'ok' })).toBeGreaterThan(okBefore);
    expect(await value(metastoreMetrics.pending, { stream: 'orders' })).toBe(0);
    expect((await metastoreMetrics.lastSuccess.get()).values.find((v) => v.labels.target === 'recording')?.value).toBeGreaterThan(Date.now() / 1000 - 60);
  });

  it('in strict mode fails the message and rolls the catalog back, so a redelivery does it all again', async () => {
    metastore.failNext = 1;
    const msg = await writeArchiveObject(store, engine, records('orders', 'shardId-000000000000', 500n, '2026-11-25T14:00:00.000Z', [{ id: 6, total: 4 }]));
    const before = published.length;
    await expect(ds.transaction((manager) => strictIngest.objectWritten(msg, { manager }))).rejects.toThrow(/metastore down/);
    expect((await reader.listObjects('orders')).map((o) => o.uri)).not.toContain(msg.objectUri);
    expect(published).toHaveLength(before);
    const redelivered = await ds.transaction((manager) => strictIngest.objectWritten(msg, { manager }));
    expect(redelivered).toMatchObject({ objectAdded: true, partitionAdded: true, partitionsSynced: 1 });
    expect(published.at(-1)).toMatchObject({ stream: 'orders', hour: 14 });
  });

  it('rebuilds a lost catalog from the archive: same objects, counts, time ranges, partitions and schema', async () => {
    const objectsBefore = await reader.listObjects('orders');
    const partitionsBefore = await reader.listPartitions('orders');
    const schemaBefore = await reader.getSchema('orders');
    // lose the catalog, and one object disappears from the archive while an orphan row remains
    await ds.query(`DELETE FROM catalog_stream WHERE name = 'orders'`);
    expect(await reader.listObjects('orders')).toEqual([]);

    const report = await rebuildCatalog('orders', { writer, reader, store, inspector, sampleRecords: 1000 });
    expect(report).toMatchObject({ listed: objectsBefore.length, added: objectsBefore.length, kept: 0, removed: 0, skipped: 0, partitionsAdded: partitionsBefore.length });
    const strip = (xs: { bytes: number }[]) => xs.map(({ bytes: _b, ...rest }) => rest);
    expect(strip(await reader.listObjects('orders'))).toEqual(strip(objectsBefore));
    expect((await reader.listPartitions('orders')).map((p) => [p.dt, p.hour, p.location, p.recordCount])).toEqual(
      partitionsBefore.map((p) => [p.dt, p.hour, p.location, p.recordCount]),
    );
    expect((await reader.getSchema('orders'))?.fields.map((f) => [f.path, f.types, f.nullable])).toEqual(
      schemaBefore?.fields.map((f) => [f.path, f.types, f.nullable]),
    );

    // a second run changes nothing; an object deleted from the archive is forgotten
    const gone = objectsBefore[0];
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: gone.uri.slice(`s3://${bucket}/`.length) }));
    const again = await rebuildCatalog('orders', { writer, reader, store, inspector, sampleRecords: 1000 });
    expect(again).toMatchObject({ listed: objectsBefore.length - 1, added: 0, kept: objectsBefore.length - 1, removed: 1 });
    expect((await reader.listObjects('orders')).map((o) => o.uri)).not.toContain(gone.uri);
  });

  it('rebuilds a stream whose archive holds both layouts to the catalog the announcements built, and leaves out layout-2 objects whose metadata lies', async () => {
    const s = 'mixed';
    // an object of an archiver before 0.9 (layout 1), then a multi-shard object of the same hour continuing shard 0
    const old = await writeLayout1Object(store, records(s, 'shardId-000000000000', 100n, '2026-11-25T15:00:00.000Z', [{ id: 1 }, { id: 2 }, { id: 3 }]));
    const multi = await writeArchiveObject(store, engine, [
      ...records(s, 'shardId-000000000000', 103n, '2026-11-25T15:10:00.000Z', [{ id: 4 }, { id: 5 }, { id: 6 }]),
      ...records(s, 'shardId-000000000001', 7n, '2026-11-25T15:10:00.500Z', [{ id: 7 }, { id: 8 }]),
    ]);
    expect(multi).toMatchObject({ layout: 2, recordCount: 5, shards: [{ shardId: 'shardId-000000000000', recordCount: 3 }, { shardId: 'shardId-000000000001', recordCount: 2 }] });
    await ingest.objectWritten(upgradeArchiveObjectWritten(old));
    await ingest.objectWritten(multi);
    const announced = await reader.listObjects(s);
    expect(announced.map((o) => [o.layout, o.shards.map((r) => `${r.shardId}:${r.firstSequenceNumber}-${r.lastSequenceNumber}/${r.recordCount}`)])).toEqual([
      [1, ['shardId-000000000000:100-102/3']],
      [2, ['shardId-000000000000:103-105/3', 'shardId-000000000001:7-8/2']],
    ]);

    // Two layout-2 objects no archiver announced, whose ranges cannot be trusted: flux.shards claims a range the
    // rows do not hold, or is missing.
    const dir = await mkdtemp(join(tmpdir(), 'flux-rebuild-'));
    try {
      const rows = records(s, 'shardId-000000000001', 9n, '2026-11-25T15:20:00.000Z', [{ id: 9 }, { id: 10 }]);
      const lie: ObjectShardRange[] = shardRangesOf(rows).map((r) => ({ ...r, lastSequenceNumber: '99' }));
      const batch = await engine.openBatch();
      for (const r of rows) batch.append(r);
      await batch.writeTo(join(dir, 'lie.parquet'), lie);
      await batch.discard();
      await store.put(multiShardObjectKey({ stream: s, dt: '2026-11-25', hour: 15, id: 'lying-metadata' }), join(dir, 'lie.parquet'));
      await engine.write(rows, join(dir, 'bare.parquet'));
      await store.put(multiShardObjectKey({ stream: s, dt: '2026-11-25', hour: 15, id: 'no-ranges' }), join(dir, 'bare.parquet'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    await ds.query(`DELETE FROM catalog_stream WHERE name = $1`, [s]);
    const report = await rebuildCatalog(s, { writer, reader, store, inspector, sampleRecords: 1000 });
    expect(report).toMatchObject({ listed: 4, added: 2, kept: 0, removed: 0, skipped: 2, partitionsAdded: 1 });
    expect(await reader.listObjects(s)).toEqual(announced);
    expect(await reader.shardHighWatermarks(s)).toEqual(new Map([['shardId-000000000000', '105'], ['shardId-000000000001', '8']]));
    expect(await reader.getStream(s)).toMatchObject({ objectCount: 2, recordCount: 8 });
  });
});
