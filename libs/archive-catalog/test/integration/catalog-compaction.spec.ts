import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { ParquetEngine, archiveFieldColumns, createArchiveStore, readArchiveObject, type ArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { ArchiveObjectInspector, CatalogIngest, CatalogReader, CatalogWriter, COMPACTED_ID_PREFIX, HourCompactor, rebuildCatalog, type MetastoreSync } from '@flux-capacitor/archive-catalog';
import { fieldJsonPath, type ArchiveObjectWritten, type ArchiveRecord } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, testConfig, uniqueName, writeArchiveObject, type TestDatabase } from '@flux-capacitor/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

const HOUR = Date.parse('2026-11-25T10:00:00Z');
const MINUTE = 60_000;
const enc = new TextEncoder();
const FIELDS = archiveFieldColumns([['customer'], ['amount'], ['address', 'city']]);

/** Records of one shard in hour 10 of 2026-11-25, keys from a small set so each key is in every object. */
function shardRecords(stream: string, shardId: string, firstSeq: bigint, startMs: number, n: number, salt: number): ArchiveRecord[] {
  return Array.from({ length: n }, (_, i) => {
    const k = (i * 7 + salt) % 5;
    const body =
      i % 11 === 3
        ? 'not json at all'
        : JSON.stringify({ customer: `c-${k}`, amount: i % 4 === 0 ? 12.5 : i, ...(i % 3 === 0 ? { address: { city: `city-${i % 2}` } } : {}), n: i });
    return {
      stream,
      shardId,
      sequenceNumber: (firstSeq + BigInt(i) * 10n).toString(),
      subSequenceNumber: 0,
      partitionKey: `key-${k}`,
      explicitHashKey: null,
      arrivalTime: startMs + i * 1000,
      data: enc.encode(body),
    };
  });
}

const recordId = (r: ArchiveRecord) => `${r.shardId}/${r.sequenceNumber}/${r.subSequenceNumber}`;
const canonical = (rs: ArchiveRecord[]) =>
  rs
    .map((r) => ({ id: recordId(r), pk: r.partitionKey, t: r.arrivalTime, data: Buffer.from(r.data).toString('base64') }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

describe('catalog: compaction of closed hours (Postgres + local S3)', () => {
  const bucket = uniqueName('flux-compact');
  const config = testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive` });
  const s3 = createS3Client(config.aws);
  let db: TestDatabase;
  let ds: DataSource;
  let store: ArchiveStore;
  let engine: ParquetEngine;
  let reader: CatalogReader;
  let writer: CatalogWriter;
  let dir: string;

  const compactor = (now: number, overrides: Partial<{ graceMs: number; maxInputBytes: number }> = {}) =>
    new HourCompactor({
      reader,
      writer,
      store,
      threads: 1,
      now: () => new Date(now),
      config: { settleMs: 60 * MINUTE, graceMs: 24 * 60 * MINUTE, maxInputBytes: 512 * 1024 * 1024, memoryBytes: 128 * 1024 * 1024, tempDir: dir, ...overrides },
    });
  /** A time at which hour 10 has settled (an hour after it ended), plus `ms`. */
  const settled = (ms = 0) => HOUR + 2 * 60 * MINUTE + ms;

  async function archive(rs: ArchiveRecord[], fields = FIELDS): Promise<ArchiveObjectWritten> {
    const o = await writeArchiveObject(store, engine, rs, { fields });
    await writer.registerObject(o);
    return o;
  }

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = createArchiveStore(config.archive, s3);
    engine = await ParquetEngine.create({ threads: 1 });
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    reader = new CatalogReader(ds);
    writer = new CatalogWriter(ds);
    dir = await mkdtemp(join(tmpdir(), 'flux-compaction-'));
  });
  afterAll(async () => {
    engine?.close();
    await ds?.destroy();
    await db?.drop();
    s3.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  it('rewrites a closed hour as one object sorted by partition key, every record once, field columns computed alike', async () => {
    const stream = uniqueName('compact');
    const a = shardRecords(stream, 'shardId-000000000000', 1000n, HOUR, 40, 0);
    const b = shardRecords(stream, 'shardId-000000000001', 5000n, HOUR + 5 * MINUTE, 30, 3);
    // Three objects as an archiver writes them: both shards in each, in arrival order; the last without field
    // columns (written while they were off), so the compacted object computes them for its records too.
    const objects = [
      await archive([...a.slice(0, 15), ...b.slice(0, 10)]),
      await archive([...a.slice(15, 30), ...b.slice(10, 20)]),
      await archive([...a.slice(30), ...b.slice(20)], []),
    ];
    // An hour still settling is left alone.
    const open = await archive(shardRecords(stream, 'shardId-000000000000', 9000n, HOUR + 90 * MINUTE, 5, 1));

    // one millisecond short of settled: still open
    expect(await compactor(settled(-1)).plan(stream)).toEqual([]);
    const report = await compactor(settled()).compactStream(stream);
    expect(report).toMatchObject({ hours: 1, replaced: 3, written: 1, records: 70, duplicatesDropped: 0, conflicts: 0 });

    const live = await reader.listObjects(stream);
    expect(live.map((o) => o.uri).sort()).toEqual([open.objectUri, live.find((o) => o.uri !== open.objectUri)!.uri].sort());
    const compacted = live.find((o) => o.uri !== open.objectUri)!;
    // in a folder of its own, where the hour's partition now points (for Hive and Glue, synced again)
    expect(compacted.uri).toMatch(new RegExp(`/${stream}/_compacted/dt=2026-11-25/hour=10/g[0-9a-z]+/part-${COMPACTED_ID_PREFIX}[0-9a-z-]+\\.parquet$`));
    const folder = compacted.uri.replace(/\/part-[^/]+$/, '');
    expect((await reader.listPartitions(stream)).find((p) => p.hour === 10)?.location).toBe(folder);
    expect(await writer.unsyncedPartitions(stream)).toContainEqual({ dt: '2026-11-25', hour: 10, location: folder });
    // the metastore sync hands Hive and Glue the moved location (they update an existing partition's; contract tests)
    const added: { dt: string; hour: number; location: string }[] = [];
    const metastore: MetastoreSync = { name: 'recording', ensureTable: async () => undefined, addPartitions: async (_t, ps) => void added.push(...ps) };
    const syncInspector = await ArchiveObjectInspector.create();
    try {
      const ingest = new CatalogIngest({ writer, reader, store, inspector: syncInspector, metastores: [metastore], strictMetastores: true, sampleRecords: 10, publishPartitionAdded: async () => undefined });
      await ingest.syncMetastores(stream);
    } finally {
      syncInspector.close();
    }
    expect(added).toContainEqual({ dt: '2026-11-25', hour: 10, location: folder });
    expect(await writer.unsyncedPartitions(stream)).toEqual([]);
    expect(compacted.recordCount).toBe(70);
    expect(compacted.shards).toEqual([
      { shardId: 'shardId-000000000000', firstSequenceNumber: '1000', lastSequenceNumber: '1390', recordCount: 40 },
      { shardId: 'shardId-000000000001', firstSequenceNumber: '5000', lastSequenceNumber: '5290', recordCount: 30 },
    ]);
    expect(compacted.firstArrivalTime.getTime()).toBe(HOUR);
    expect(compacted.fields.map((f) => f.path)).toEqual(FIELDS.map((f) => f.path));

    // Every record once, byte for byte, sorted by partition key; each key's records in their shards' order.
    const key = store.keyOf(compacted.uri)!;
    const rows = await readArchiveObject(store, key, engine);
    expect(canonical(rows)).toEqual(canonical([...a, ...b]));
    const keys = rows.map((r) => r.partitionKey);
    expect(keys).toEqual([...keys].sort());
    for (const shard of ['shardId-000000000000', 'shardId-000000000001']) {
      for (const k of new Set(keys)) {
        const seqs = rows.filter((r) => r.partitionKey === k && r.shardId === shard).map((r) => BigInt(r.sequenceNumber));
        expect(seqs).toEqual([...seqs].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
      }
    }
    // Each field column holds what payload->>'path' gives, for every record (the object without columns included).
    const file = join(dir, 'check.parquet');
    await store.getToFile(key, file);
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    for (const f of FIELDS) {
      const diff = await c.runAndReadAll(
        `SELECT count(*) FROM read_parquet('${file}') WHERE "${f.column}" IS DISTINCT FROM json_extract_string(data_json, '${fieldJsonPath(f.path)}')`,
      );
      expect(Number(diff.getRows()[0][0])).toBe(0);
    }
    c.closeSync();

    // The replaced objects are tombstones: still in the archive (queries that listed them may be reading them), out
    // of every listing, and a late announcement of one (an archiver's recovered intent) does not bring it back.
    expect([...(await reader.retiredUris(stream))].sort()).toEqual(objects.map((o) => o.objectUri).sort());
    for (const o of objects) expect(await store.exists(store.keyOf(o.objectUri)!)).toBe(true);
    expect(await writer.registerObject(objects[0])).toMatchObject({ objectAdded: false });
    expect((await reader.listObjects(stream)).length).toBe(2);
    expect((await reader.getStream(stream))?.recordCount).toBe(75);
    const [partition] = await reader.listPartitions(stream, {});
    expect(partition.objectCount).toBe(1);

    // A rebuild from the archive leaves the retired files alone instead of registering their records again.
    const inspector = await ArchiveObjectInspector.create();
    try {
      const rebuilt = await rebuildCatalog(stream, { writer, reader, store, inspector, sampleRecords: 100 });
      expect(rebuilt).toMatchObject({ listed: 5, added: 0, kept: 2, retired: 3, removed: 0 });
    } finally {
      inspector.close();
    }
    expect((await reader.listObjects(stream)).length).toBe(2);

    // A compacted hour alone is not rewritten again.
    expect(await compactor(settled()).plan(stream)).toEqual([]);

    // After the grace the replaced files go; their rows stay, so they still cannot come back. (Retired at the
    // database's clock: the grace counts from now.)
    expect(await compactor(Date.now() + 23 * 60 * MINUTE).deleteRetired()).toBe(0);
    expect(await compactor(Date.now() + 25 * 60 * MINUTE).deleteRetired()).toBe(3);
    for (const o of objects) expect(await store.exists(store.keyOf(o.objectUri)!)).toBe(false);
    expect(await writer.registerObject(objects[1])).toMatchObject({ objectAdded: false });
    expect(await compactor(Date.now() + 26 * 60 * MINUTE).deleteRetired()).toBe(0);
    expect(await store.exists(key)).toBe(true);
  });

  it('never swaps in an output whose file a deletion of retired objects has claimed (an upload slower than the grace)', async () => {
    const stream = uniqueName('compact-claim');
    const rs = shardRecords(stream, 'shardId-000000000000', 100n, HOUR, 10, 0);
    const input = await archive(rs);
    const output: ArchiveObjectWritten = { ...input, objectUri: input.objectUri.replace(/part-/, 'part-compacted-slow-') };
    expect(await writer.reserveObject(output, 1)).toBe(true);
    // another process's deleteRetired finds the reservation past the grace and claims it before the swap
    expect(await writer.claimDeletion([output.objectUri])).toEqual([output.objectUri]);
    expect(await writer.claimDeletion([output.objectUri])).toEqual([]);
    expect(await writer.replaceObjects(stream, [output.objectUri], [input.objectUri])).toBe(false);
    expect((await reader.listObjects(stream)).map((o) => o.uri)).toEqual([input.objectUri]);
  });

  it('compacts a late object with the hour it belongs to, and drops records two objects both hold', async () => {
    const stream = uniqueName('compact-late');
    const rs = shardRecords(stream, 'shardId-000000000000', 100n, HOUR, 30, 1);
    await archive(rs.slice(0, 20));
    expect((await compactor(settled()).compactStream(stream)).written).toBe(1);
    // A late object that repeats 5 of the compacted records (an archiver re-read a range after a crash).
    await archive(rs.slice(15));
    const [plan] = await compactor(settled()).plan(stream);
    expect(plan.groups.map((g) => g.length)).toEqual([2]);
    const report = await compactor(settled()).compactStream(stream);
    expect(report).toMatchObject({ replaced: 2, written: 1, records: 30, duplicatesDropped: 5 });
    const [only] = await reader.listObjects(stream);
    expect(only.recordCount).toBe(30);
    expect(canonical(await readArchiveObject(store, store.keyOf(only.uri)!, engine))).toEqual(canonical(rs));
  });

  it('splits an hour over FLUX_CATALOG_COMPACT_MAX_MIB into several sorted objects', async () => {
    const stream = uniqueName('compact-split');
    const rs = shardRecords(stream, 'shardId-000000000000', 100n, HOUR, 60, 2);
    const objects = [await archive(rs.slice(0, 20)), await archive(rs.slice(20, 40)), await archive(rs.slice(40))];
    const max = objects[0].bytes + objects[1].bytes;
    const [plan] = await compactor(settled(), { maxInputBytes: max }).plan(stream);
    expect(plan.groups.map((g) => g.length)).toEqual([2, 1]);
    const report = await compactor(settled(), { maxInputBytes: max }).compactStream(stream);
    expect(report).toMatchObject({ hours: 1, replaced: 3, written: 2, records: 60 });
    const live = await reader.listObjects(stream);
    expect(live.map((o) => o.recordCount).sort()).toEqual([20, 40]);
    // one folder for the hour, the partition's location
    const folders = new Set(live.map((o) => o.uri.replace(/\/part-[^/]+$/, '')));
    expect([...folders]).toEqual([(await reader.listPartitions(stream))[0].location]);
    // Each a compaction's output alone in its hour: not rewritten again.
    expect(await compactor(settled(), { maxInputBytes: max }).plan(stream)).toEqual([]);
  });

  it('lets one of two compactions of the same objects win; the other deletes its output', async () => {
    const stream = uniqueName('compact-race');
    const rs = shardRecords(stream, 'shardId-000000000000', 100n, HOUR, 20, 0);
    await archive(rs.slice(0, 10));
    await archive(rs.slice(10));
    const [plan] = await compactor(settled()).plan(stream);
    const [first, second] = await Promise.all([compactor(settled()).compactHour(stream, plan), compactor(settled()).compactHour(stream, plan)]);
    expect([first, second].filter((x) => x === null).length).toBe(1);
    const winner = (first ?? second)!;
    const files: string[] = [];
    for await (const info of store.list(`${stream}/`)) if (info.key.includes(COMPACTED_ID_PREFIX)) files.push(store.uri(info.key));
    expect(files).toEqual(winner.outputs);
    expect((await reader.listObjects(stream)).map((o) => o.uri)).toEqual(winner.outputs);
  });

  it('leaves nothing a reader or a rebuild counts when it dies between its upload and its swap, and deletes that output after the grace', async () => {
    const stream = uniqueName('compact-crash');
    const rs = shardRecords(stream, 'shardId-000000000000', 100n, HOUR, 20, 0);
    const inputs = [await archive(rs.slice(0, 10)), await archive(rs.slice(10))];
    // The process "dies" at the swap: the swap never happens and nothing is cleaned up after it.
    const dying = Object.create(writer) as CatalogWriter;
    dying.replaceObjects = () => Promise.reject(new Error('killed'));
    const noCleanUp = Object.create(store) as ArchiveStore;
    noCleanUp.delete = () => Promise.reject(new Error('killed'));
    const crashing = new HourCompactor({ reader, writer: dying, store: noCleanUp, threads: 1, now: () => new Date(settled()), config: { settleMs: 60 * MINUTE, graceMs: 24 * 60 * MINUTE, maxInputBytes: 1 << 30, memoryBytes: 128 << 20, tempDir: dir } });
    const [plan] = await crashing.plan(stream);
    await expect(crashing.compactHour(stream, plan)).rejects.toThrow('killed');

    // Its output is in the archive, catalogued as a tombstone: readers see the inputs only, a rebuild leaves it alone.
    const outputs: string[] = [];
    for await (const info of store.list(`${stream}/`)) if (info.key.includes(COMPACTED_ID_PREFIX)) outputs.push(store.uri(info.key));
    expect(outputs.length).toBe(1);
    expect((await reader.listObjects(stream)).map((o) => o.uri).sort()).toEqual(inputs.map((o) => o.objectUri).sort());
    expect((await reader.getStream(stream))?.recordCount).toBe(20);
    const inspector = await ArchiveObjectInspector.create();
    try {
      expect(await rebuildCatalog(stream, { writer, reader, store, inspector, sampleRecords: 100 })).toMatchObject({ listed: 3, added: 0, kept: 2, retired: 1 });
    } finally {
      inspector.close();
    }

    // The next pass compacts the hour; the dead compaction's output goes with the retired files after the grace.
    expect(await compactor(settled()).compactStream(stream)).toMatchObject({ replaced: 2, written: 1, records: 20 });
    // (the other tests' tombstones in this database go too)
    expect(await compactor(Date.now() + 25 * 60 * MINUTE).deleteRetired()).toBeGreaterThanOrEqual(3);
    for (const uri of [outputs[0], ...inputs.map((o) => o.objectUri)]) expect(await store.exists(store.keyOf(uri)!)).toBe(false);
    const [only] = await reader.listObjects(stream);
    expect(canonical(await readArchiveObject(store, store.keyOf(only.uri)!, engine))).toEqual(canonical(rs));
  });
});
