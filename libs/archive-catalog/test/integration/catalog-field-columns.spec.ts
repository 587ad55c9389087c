import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetEngine, archiveFieldColumns, archiveKvMetadataSql, createArchiveStore, multiShardObjectKey, type ArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { ArchiveObjectInspector, CatalogReader, CatalogWriter, rebuildCatalog } from '@flux-capacitor/archive-catalog';
import { ARCHIVE_KV_METADATA, type ArchiveFieldColumn, type ArchiveObjectWritten, type ArchiveRecord } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, records, shardRangesOf, testConfig, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';

describe('catalog: field columns of archive objects (Postgres + local S3)', () => {
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
  let dir: string;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = createArchiveStore(config.archive, s3);
    engine = await ParquetEngine.create({ threads: 1 });
    inspector = await ArchiveObjectInspector.create();
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    reader = new CatalogReader(ds);
    writer = new CatalogWriter(ds);
    dir = await mkdtemp(join(tmpdir(), 'flux-cat-fields-'));
  });
  afterAll(async () => {
    engine?.close();
    inspector?.close();
    await ds?.destroy();
    await db?.drop();
    s3.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `rs` as a layout-2 object with `fields`, then (when given) rewrites its flux.fields to `kvFields`. */
  async function put(rs: ArchiveRecord[], id: string, fields: ArchiveFieldColumn[], kvFields?: string): Promise<ArchiveObjectWritten> {
    const shards = shardRangesOf(rs);
    const path = join(dir, `${id}.parquet`);
    const batch = await engine.openBatch();
    try {
      for (const r of rs) batch.append(r);
      await batch.writeTo(path, shards, fields);
    } finally {
      await batch.discard();
    }
    let file = path;
    if (kvFields !== undefined) {
      file = join(dir, `${id}-edited.parquet`);
      const c = await (await DuckDBInstance.create(':memory:')).connect();
      const kv = `${archiveKvMetadataSql(shards)}, '${ARCHIVE_KV_METADATA.fields}': '${kvFields.replace(/'/g, "''")}'`;
      await c.run(`COPY (SELECT * FROM read_parquet('${path}')) TO '${file}' (FORMAT parquet, KV_METADATA {${kv}})`);
      c.closeSync();
    }
    const key = multiShardObjectKey({ stream: rs[0].stream, dt: '2026-11-25', hour: 10, id });
    await store.put(key, file);
    const times = rs.map((r) => r.arrivalTime);
    return {
      objectUri: store.uri(key),
      stream: rs[0].stream,
      layout: 2,
      shards,
      ...(fields.length > 0 ? { fields } : {}),
      firstArrivalTime: new Date(Math.min(...times)).toISOString(),
      lastArrivalTime: new Date(Math.max(...times)).toISOString(),
      dt: '2026-11-25',
      hour: 10,
      recordCount: rs.length,
      bytes: (await stat(file)).size,
    };
  }

  const fields = archiveFieldColumns([['id'], ['customer', 'city']]);

  it('stores the fields an announcement lists and returns them with the object; an object without has none', async () => {
    const s = uniqueName('orders');
    const withFields = await put(records(s, 'shardId-000000000000', 100n, '2026-11-25T10:00:00.000Z', [{ id: 1, customer: { city: 'Łódź' } }]), 'with-fields', fields);
    const without = await put(records(s, 'shardId-000000000000', 101n, '2026-11-25T10:05:00.000Z', [{ id: 2 }]), 'without-fields', []);
    await writer.registerObject(withFields);
    await writer.registerObject(without);
    const objects = await reader.listObjects(s);
    expect(objects.map((o) => [o.uri, o.fields])).toEqual([
      [withFields.objectUri, fields],
      [without.objectUri, []],
    ]);
    const stored = await ds.query(`SELECT uri, field_columns FROM catalog_object WHERE stream = $1 ORDER BY first_arrival_time`, [s]);
    expect(stored.map((r: { field_columns: unknown }) => r.field_columns)).toEqual([fields, null]);
  });

  it('refuses field columns on a layout-1 announcement', async () => {
    const o = await put(records(uniqueName('orders'), 'shardId-000000000000', 1n, '2026-11-25T10:00:00.000Z', [{ id: 1 }]), 'layout-one', fields);
    await expect(writer.registerObject({ ...o, layout: 1 })).rejects.toThrow(/layout-1 object holds no field columns/);
  });

  it('rebuild reads flux.fields from each object, and catalogues an object whose flux.fields is malformed without fields', async () => {
    const s = uniqueName('orders');
    const good = await put(records(s, 'shardId-000000000000', 100n, '2026-11-25T10:00:00.000Z', [{ id: 1, customer: { city: 'Paris' } }]), 'good-fields', fields);
    const bad = [
      ['bad-not-json', '[{"path":'],
      ['bad-not-columns', '[{"path":[],"column":"payload__id"}]'],
      ['bad-missing-column', JSON.stringify([{ path: ['nope'], column: 'payload__nope' }])],
      ['bad-not-varchar', JSON.stringify([{ path: ['id'], column: 'sub_sequence_number' }])],
      // a VARCHAR column of the file, but a base column, not a field column
      ['bad-base-column', JSON.stringify([{ path: ['id'], column: 'shard_id' }])],
      // a stored column, but a key no JSONPath step can hold: it made every query on the stream fail
      ['bad-quoted-key', JSON.stringify([{ path: ['a"b'], column: 'payload__id' }])],
      ['bad-dotted-key', JSON.stringify([{ path: ['customer.city'], column: 'payload__customer__city' }])],
    ];
    const malformed = [];
    for (const [i, [id, kv]] of bad.entries()) {
      malformed.push(await put(records(s, 'shardId-000000000000', BigInt(200 + i * 10), `2026-11-25T10:1${i}:00.000Z`, [{ id: 10 + i }]), id, fields, kv));
    }
    const report = await rebuildCatalog(s, { writer, reader, store, inspector, sampleRecords: 100 });
    expect(report).toMatchObject({ listed: bad.length + 1, added: bad.length + 1, skipped: 0 });
    const objects = await reader.listObjects(s);
    expect(objects.find((o) => o.uri === good.objectUri)?.fields).toEqual(fields);
    for (const m of malformed) expect(objects.find((o) => o.uri === m.objectUri)?.fields).toEqual([]);
  });
});
