import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { CatalogReader, CatalogWriter } from '@flux-capacitor/archive-catalog';
import { SchemaObserver } from '../../src/schema/schema-inference';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';

const root = 's3://flux-archive/archive';

function object(stream: string, shardId: string, first: string, last: string, from: string, to: string, records = 10): ArchiveObjectWritten {
  const dt = from.slice(0, 10);
  const hour = Number(from.slice(11, 13));
  return upgradeArchiveObjectWritten({
    objectUri: `${root}/${stream}/dt=${dt}/hour=${String(hour).padStart(2, '0')}/${shardId}-${first}-${last}.parquet`,
    stream,
    shardId,
    firstSequenceNumber: first,
    lastSequenceNumber: last,
    firstArrivalTime: from,
    lastArrivalTime: to,
    dt,
    hour,
    recordCount: records,
    bytes: records * 100,
  });
}

// 56-digit sequence numbers, as Kinesis issues them: wider than a double, so ordering must be numeric.
const seq = (n: bigint) => (49_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000n + n).toString();

describe('catalog store (Postgres)', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let reader: CatalogReader;
  let writer: CatalogWriter;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    reader = new CatalogReader(ds);
    writer = new CatalogWriter(ds);
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('registers an object once: a duplicate message changes nothing', async () => {
    const o = object('dupes', 'shardId-000000000000', seq(1n), seq(9n), '2026-11-25T10:05:00.000Z', '2026-11-25T10:09:00.000Z');
    const first = await writer.registerObject(o);
    expect(first).toEqual({
      objectAdded: true,
      partitionAdded: true,
      partition: { stream: 'dupes', dt: '2026-11-25', hour: 10, location: `${root}/dupes/dt=2026-11-25/hour=10` },
    });
    const before = await ds.query(`SELECT * FROM catalog_object WHERE stream = 'dupes'`);
    const again = await writer.registerObject({ ...o, recordCount: 999, shards: [{ ...o.shards[0], recordCount: 999 }] });
    expect(again.objectAdded).toBe(false);
    expect(again.partitionAdded).toBe(false);
    expect(await ds.query(`SELECT * FROM catalog_object WHERE stream = 'dupes'`)).toEqual(before);
    expect((await reader.getStream('dupes'))?.recordCount).toBe(10);
  });

  it('reports a new partition only for the first object of each hour', async () => {
    const a = await writer.registerObject(object('parts', 'shardId-000000000000', seq(1n), seq(5n), '2026-11-25T11:00:00.000Z', '2026-11-25T11:10:00.000Z'));
    const b = await writer.registerObject(object('parts', 'shardId-000000000001', seq(2n), seq(6n), '2026-11-25T11:20:00.000Z', '2026-11-25T11:30:00.000Z'));
    const c = await writer.registerObject(object('parts', 'shardId-000000000000', seq(7n), seq(8n), '2026-11-25T12:00:00.000Z', '2026-11-25T12:01:00.000Z'));
    expect([a.partitionAdded, b.partitionAdded, c.partitionAdded]).toEqual([true, false, true]);
    const partitions = await reader.listPartitions('parts');
    expect(partitions.map((p) => [p.dt, p.hour, p.objectCount, p.recordCount])).toEqual([
      ['2026-11-25', 11, 2, 20],
      ['2026-11-25', 12, 1, 10],
    ]);
  });

  it('registers concurrent duplicates of one object exactly once', async () => {
    const o = object('race', 'shardId-000000000000', seq(1n), seq(2n), '2026-11-25T13:00:00.000Z', '2026-11-25T13:00:01.000Z');
    const results = await Promise.all(Array.from({ length: 5 }, () => writer.registerObject(o)));
    expect(results.filter((r) => r.objectAdded)).toHaveLength(1);
    expect(results.filter((r) => r.partitionAdded)).toHaveLength(1);
    expect(await reader.listObjects('race')).toHaveLength(1);
  });

  it('lists the objects whose time range overlaps the window', async () => {
    const s = 'window';
    await writer.registerObject(object(s, 'shardId-000000000000', seq(1n), seq(2n), '2026-11-25T08:00:00.000Z', '2026-11-25T08:30:00.000Z'));
    await writer.registerObject(object(s, 'shardId-000000000000', seq(3n), seq(4n), '2026-11-25T08:30:00.000Z', '2026-11-25T09:10:00.000Z'));
    await writer.registerObject(object(s, 'shardId-000000000000', seq(5n), seq(6n), '2026-11-25T09:15:00.000Z', '2026-11-25T09:40:00.000Z'));
    const seqs = async (from?: string, to?: string) =>
      (await reader.listObjects(s, { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined })).map((o) => o.shards[0].firstSequenceNumber);
    expect(await seqs()).toEqual([seq(1n), seq(3n), seq(5n)]);
    expect(await seqs('2026-11-25T09:00:00.000Z', '2026-11-25T09:12:00.000Z')).toEqual([seq(3n)]);
    expect(await seqs('2026-11-25T09:40:00.000Z')).toEqual([seq(5n)]);
    expect(await seqs(undefined, '2026-11-25T08:00:00.000Z')).toEqual([seq(1n)]);
    expect(await seqs('2026-11-26T00:00:00.000Z')).toEqual([]);
    const [first] = await reader.listObjects(s);
    expect(first).toMatchObject({ layout: 1, shards: [{ shardId: 'shardId-000000000000', firstSequenceNumber: seq(1n), lastSequenceNumber: seq(2n), recordCount: 10 }], recordCount: 10, bytes: 1000, dt: '2026-11-25', hour: 8 });
    expect(first.firstArrivalTime).toEqual(new Date('2026-11-25T08:00:00.000Z'));
  });

  it('lists partitions whose hour overlaps the window', async () => {
    const hours = async (from?: string, to?: string) =>
      (await reader.listPartitions('window', { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined })).map((p) => p.hour);
    expect(await hours()).toEqual([8, 9]);
    expect(await hours('2026-11-25T08:59:59.999Z')).toEqual([8, 9]);
    expect(await hours('2026-11-25T09:00:00.000Z')).toEqual([9]);
    expect(await hours(undefined, '2026-11-25T08:59:59.999Z')).toEqual([8]);
    expect(await hours('2026-11-25T10:00:00.000Z')).toEqual([]);
  });

  it('gives the numerically highest catalogued sequence number per shard', async () => {
    const s = 'marks';
    // Registered out of order, and "9..." sorts after "10..." as text: the watermark must still be numeric.
    await writer.registerObject(object(s, 'shardId-000000000000', '100', '1000', '2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z'));
    await writer.registerObject(object(s, 'shardId-000000000000', '10', '99', '2026-11-25T09:00:00.000Z', '2026-11-25T09:01:00.000Z'));
    await writer.registerObject(object(s, 'shardId-000000000001', seq(5n), seq(7n), '2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z'));
    await writer.registerObject(object(s, 'shardId-000000000001', seq(1n), seq(4n), '2026-11-25T09:00:00.000Z', '2026-11-25T09:01:00.000Z'));
    expect(await reader.shardHighWatermarks(s)).toEqual(
      new Map([
        ['shardId-000000000000', '1000'],
        ['shardId-000000000001', seq(7n)],
      ]),
    );
    expect(await reader.shardHighWatermarks('no-such-stream')).toEqual(new Map());
  });

  it('summarises every stream', async () => {
    const streams = await reader.listStreams();
    expect(streams.map((s) => s.name)).toEqual(expect.arrayContaining(['dupes', 'marks', 'parts', 'race', 'window']));
    const window = streams.find((s) => s.name === 'window')!;
    expect(window).toMatchObject({ objectCount: 3, recordCount: 30, bytes: 3000, partitionCount: 2, format: null, schemaVersion: null });
    expect(window.firstArrivalTime).toEqual(new Date('2026-11-25T08:00:00.000Z'));
    expect(window.lastArrivalTime).toEqual(new Date('2026-11-25T09:40:00.000Z'));
    expect(await reader.getStream('nope')).toBeNull();
    expect(await reader.getSchema('window')).toBeNull();
  });

  it('rejects an object whose sequence range is inverted', async () => {
    await expect(
      writer.registerObject(object('bad', 'shardId-000000000000', '9', '1', '2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z')),
    ).rejects.toMatchObject({ kind: 'invalid-input', code: 'OBJECT_RANGE_INVALID', message: expect.stringMatching(/first sequence number is after the last/) });
    expect(await reader.getStream('bad')).toBeNull();
  });

  it('versions a stream schema as it evolves and keeps one version while it does not', async () => {
    const s = 'evolving';
    const o1 = object(s, 'shardId-000000000000', '1', '2', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:01.000Z');
    await writer.registerObject(o1);
    const batch = (records: unknown[], at: string) => {
      const obs = new SchemaObserver();
      for (const r of records) obs.observe(new TextEncoder().encode(JSON.stringify(r)), Date.parse(at));
      return obs.result();
    };
    expect(await writer.recordSchema(s, batch([{ id: 1 }], '2026-11-25T10:00:00.000Z'), o1.objectUri)).toEqual({ version: 1, versionAdded: true });
    expect(await writer.recordSchema(s, batch([{ id: 2 }], '2026-11-25T11:00:00.000Z'))).toEqual({ version: 1, versionAdded: false });
    expect(await writer.recordSchema(s, batch([{ id: 3, name: 'x' }], '2026-11-25T12:00:00.000Z'))).toEqual({ version: 2, versionAdded: true });

    const latest = await reader.getSchema(s);
    expect(latest).toMatchObject({ version: 2, format: 'json' });
    expect(latest!.fields.map((f) => [f.path, f.types, f.nullable])).toEqual([
      ['id', ['integer'], false],
      ['name', ['string'], true],
    ]);
    const versions = await reader.listSchemaVersions(s);
    expect(versions.map((v) => [v.version, v.firstSeen.toISOString(), v.lastSeen.toISOString()])).toEqual([
      [1, '2026-11-25T10:00:00.000Z', '2026-11-25T11:00:00.000Z'],
      [2, '2026-11-25T12:00:00.000Z', '2026-11-25T12:00:00.000Z'],
    ]);
    expect((await reader.getStream(s))).toMatchObject({ format: 'json', schemaVersion: 2 });
    expect(await ds.query(`SELECT schema_version FROM catalog_object WHERE uri = $1`, [o1.objectUri])).toEqual([{ schema_version: 1 }]);
  });

  it('updates string lengths in the latest version as batches come, without a new version, also one stored without them', async () => {
    const s = 'lengths';
    const batch = (records: unknown[]) => {
      const obs = new SchemaObserver();
      for (const r of records) obs.observe(new TextEncoder().encode(JSON.stringify(r)), Date.parse('2026-11-25T10:00:00.000Z'));
      return obs.result();
    };
    // version 1 as an older catalog stored it: no lengths
    await writer.recordSchema(s, batch([{ note: 'ab' }]));
    await ds.query(`UPDATE catalog_schema_version SET fields = jsonb_build_array((fields->0) - 'stringLengths') WHERE stream = $1`, [s]);
    expect((await reader.getSchema(s))!.fields[0].stringLengths).toBeUndefined();
    expect(await writer.recordSchema(s, batch([{ note: 'x'.repeat(100) }, { note: 'x'.repeat(200) }]))).toEqual({ version: 1, versionAdded: false });
    expect((await reader.getSchema(s))!.fields[0].stringLengths).toEqual({ count: 2, meanBytes: 150, maxBytes: 200 });
    expect(await writer.recordSchema(s, batch([{ note: 'x' }]))).toEqual({ version: 1, versionAdded: false });
    expect((await reader.getSchema(s))!.fields[0].stringLengths).toEqual({ count: 3, meanBytes: 100.33, maxBytes: 200 });
  });

  describe('multi-shard objects (layout 2)', () => {
    const s = 'multi';
    const range = (shardId: string, first: bigint, last: bigint, recordCount: number) => ({ shardId, firstSequenceNumber: seq(first), lastSequenceNumber: seq(last), recordCount });
    function part(id: string, shards: ReturnType<typeof range>[], from: string, to: string): ArchiveObjectWritten {
      return {
        objectUri: `${root}/${s}/dt=2026-11-25/hour=10/part-${id}.parquet`,
        stream: s,
        layout: 2,
        shards,
        firstArrivalTime: from,
        lastArrivalTime: to,
        dt: '2026-11-25',
        hour: 10,
        recordCount: shards.reduce((n, r) => n + r.recordCount, 0),
        bytes: 5000,
      };
    }

    it('registers a version-2 announcement with several shards: the object once, each shard range in it', async () => {
      const p1 = part('p0000001', [range('shardId-000000000001', 10n, 19n, 10), range('shardId-000000000000', 1n, 30n, 30)], '2026-11-25T10:00:00.000Z', '2026-11-25T10:05:00.000Z');
      expect(await writer.registerObject(p1)).toMatchObject({ objectAdded: true, partitionAdded: true });
      expect(await writer.registerObject(p1)).toMatchObject({ objectAdded: false, partitionAdded: false });
      expect(await reader.listObjects(s)).toEqual([
        {
          uri: p1.objectUri,
          stream: s,
          layout: 2,
          // by shard id, whatever order the announcement had
          shards: [range('shardId-000000000000', 1n, 30n, 30), range('shardId-000000000001', 10n, 19n, 10)],
          firstArrivalTime: new Date('2026-11-25T10:00:00.000Z'),
          lastArrivalTime: new Date('2026-11-25T10:05:00.000Z'),
          recordCount: 40,
          bytes: 5000,
          dt: '2026-11-25',
          hour: 10,
          fields: [],
        },
      ]);
      expect(await ds.query(`SELECT count(*)::int AS n FROM catalog_object_shard WHERE uri = $1`, [p1.objectUri])).toEqual([{ n: 2 }]);
    });

    it('registers a version-1 announcement (an archiver of the previous release) as a layout-1 object of one shard', async () => {
      const v1 = {
        objectUri: `${root}/${s}/dt=2026-11-25/hour=10/shardId-000000000002-${seq(5n)}-${seq(9n)}.parquet`,
        stream: s,
        shardId: 'shardId-000000000002',
        firstSequenceNumber: seq(5n),
        lastSequenceNumber: seq(9n),
        firstArrivalTime: '2026-11-25T10:01:00.000Z',
        lastArrivalTime: '2026-11-25T10:02:00.000Z',
        dt: '2026-11-25',
        hour: 10,
        recordCount: 5,
        bytes: 500,
      };
      expect(await writer.registerObject(v1)).toMatchObject({ objectAdded: true, partitionAdded: false });
      const [o] = (await reader.listObjects(s)).filter((x) => x.uri === v1.objectUri);
      expect(o).toMatchObject({ layout: 1, shards: [range('shardId-000000000002', 5n, 9n, 5)], recordCount: 5 });
    });

    it('takes each shard checkpoint over every object holding the shard, whichever its layout', async () => {
      await writer.registerObject(part('p0000002', [range('shardId-000000000000', 31n, 40n, 10), range('shardId-000000000002', 10n, 12n, 3)], '2026-11-25T10:06:00.000Z', '2026-11-25T10:07:00.000Z'));
      expect(await reader.shardHighWatermarks(s)).toEqual(
        new Map([
          ['shardId-000000000000', seq(40n)],
          ['shardId-000000000001', seq(19n)],
          ['shardId-000000000002', seq(12n)],
        ]),
      );
    });

    it('counts a multi-shard object once in the stream and partition totals', async () => {
      // p0000001 (40 records), the layout-1 object (5), p0000002 (13)
      expect(await reader.getStream(s)).toMatchObject({ objectCount: 3, recordCount: 58, bytes: 10_500, partitionCount: 1 });
      expect((await reader.listPartitions(s)).map((p) => [p.objectCount, p.recordCount, p.bytes])).toEqual([[3, 58, 10_500]]);
    });

    it('forgets an object together with its shard ranges', async () => {
      const uri = `${root}/${s}/dt=2026-11-25/hour=10/part-p0000002.parquet`;
      expect(await writer.forgetObjects(s, [uri])).toBe(1);
      expect(await ds.query(`SELECT count(*)::int AS n FROM catalog_object_shard WHERE uri = $1`, [uri])).toEqual([{ n: 0 }]);
      expect((await reader.shardHighWatermarks(s)).get('shardId-000000000000')).toBe(seq(30n));
    });

    it('rejects an announcement with one inverted range, a layout-1 object of two shards, or counts that do not add up, writing nothing', async () => {
      const bad = [
        part('bad00001', [range('shardId-000000000000', 100n, 109n, 10), range('shardId-000000000001', 9n, 1n, 1)], '2026-11-25T10:10:00.000Z', '2026-11-25T10:11:00.000Z'),
        { ...part('bad00002', [range('shardId-000000000000', 100n, 109n, 10), range('shardId-000000000001', 100n, 109n, 10)], '2026-11-25T10:10:00.000Z', '2026-11-25T10:11:00.000Z'), layout: 1 },
        { ...part('bad00003', [range('shardId-000000000000', 100n, 109n, 10)], '2026-11-25T10:10:00.000Z', '2026-11-25T10:11:00.000Z'), recordCount: 11 },
      ];
      for (const o of bad) await expect(writer.registerObject(o)).rejects.toMatchObject({ kind: 'invalid-input', code: 'OBJECT_RANGE_INVALID' });
      await expect(writer.registerObject(bad[0])).rejects.toThrow(/first sequence number is after the last \(shard shardId-000000000001\)/);
      expect(await ds.query(`SELECT count(*)::int AS n FROM catalog_object WHERE uri LIKE '%/part-bad%'`)).toEqual([{ n: 0 }]);
    });
  });
});
