import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { multiShardObjectKey, parseObjectKey, partitionOf } from '@flux-capacitor/archive';
import { LeaseRepository } from '../../src/lease/lease.repository';
import { aggregate, StreamNotFoundError } from '@flux-capacitor/kinesis';
import { compareSequenceNumbers } from '@flux-capacitor/contracts';
import { createStream, uniqueName } from '@flux-capacitor/testing';
import { ArchiverHarness } from '../support/archiver-harness';
import { listShards, mergeLastAdjacentShards, putRecords, readArchive, recordId, splitFirstOpenShard, taggedRecord } from '../support/kinesis-fixtures';

describe('archiver against kinesalite, s3rver, SQS and Postgres', () => {
  let h: ArchiverHarness;
  beforeAll(async () => {
    h = await ArchiverHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });

  it('archives every record once, binary and KPL-aggregated ones byte for byte, and announces each object', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    const plain = Array.from({ length: 300 }, (_, i) => taggedRecord(i));
    const users = Array.from({ length: 5 }, (_, i) => ({ partitionKey: `agg-${i}`, explicitHashKey: i === 2 ? '42' : null, data: Buffer.from([0, 255, i]) }));
    await putRecords(h.kinesis, stream, [...plain, { partitionKey: 'agg', data: aggregate(users) }]);

    const archiver = await h.archiver();
    const summary = await archiver.runOnce(stream);
    expect(summary.records).toBe(305);
    expect(summary.shards.map((s) => s.outcome)).toEqual(['drained', 'drained']);

    const objects = await readArchive(h.store, stream);
    const rows = objects.flatMap((o) => o.rows);
    expect(rows).toHaveLength(305);
    const plainRows = rows.filter((r) => !r.partitionKey.startsWith('agg-'));
    expect(plainRows.map((r) => recordId(r.data)).sort((a, b) => a - b)).toEqual(plain.map((_, i) => i));
    for (const r of plainRows) expect(Buffer.from(r.data).equals(plain[recordId(r.data)].data)).toBe(true);
    const aggRows = rows.filter((r) => r.partitionKey.startsWith('agg-')).sort((a, b) => a.subSequenceNumber - b.subSequenceNumber);
    expect(aggRows.map((r) => [r.subSequenceNumber, r.partitionKey, r.explicitHashKey, [...r.data]])).toEqual(
      users.map((u, i) => [i, u.partitionKey, u.explicitHashKey, [...u.data]]),
    );
    expect(new Set(aggRows.map((r) => r.sequenceNumber)).size).toBe(1);

    // Every object is layout 2: its key names its hour, its metadata each shard's exact range and record count,
    // its arrival_time is an instant; the announcements say the same.
    for (const o of objects) {
      const name = parseObjectKey(o.key)!;
      expect(name.layout).toBe(2);
      expect(o.metadata['flux.layout']).toBe('2');
      expect(o.shards.map((r) => r.shardId)).toEqual([...new Set(o.rows.map((r) => r.shardId))].sort());
      for (const range of o.shards) {
        const seqs = o.rows.filter((r) => r.shardId === range.shardId).map((r) => r.sequenceNumber).sort(compareSequenceNumbers);
        expect([range.firstSequenceNumber, range.lastSequenceNumber]).toEqual([seqs[0], seqs[seqs.length - 1]]);
        expect(range.recordCount).toBe(seqs.length);
      }
    }
    const announced = (await h.announcements()).filter((m) => (m.payload as { stream: string }).stream === stream);
    expect(announced.map((m) => [m.type, m.version])).toEqual(objects.map(() => ['archive.object.written', 2]));
    expect(announced.map((m) => (m.payload as { objectUri: string }).objectUri).sort()).toEqual(objects.map((o) => h.store.uri(o.key)).sort());
    for (const m of announced) {
      const payload = m.payload as { objectUri: string; layout: number; shards: unknown[] };
      expect(payload.layout).toBe(2);
      expect(payload.shards).toEqual(objects.find((o) => h.store.uri(o.key) === payload.objectUri)!.shards);
    }
    expect(announced.reduce((n, m) => n + (m.payload as { recordCount: number }).recordCount, 0)).toBe(305);

    // A second run finds nothing new; a third archives only what was added since.
    expect((await archiver.runOnce(stream)).records).toBe(0);
    await putRecords(h.kinesis, stream, [taggedRecord(1000)]);
    const third = await archiver.runOnce(stream);
    expect(third.records).toBe(1);
    expect((await readArchive(h.store, stream)).flatMap((o) => o.rows)).toHaveLength(306);
  });

  it('reads a child shard only after its parents are fully archived, through a split and a merge', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    let id = 0;
    const batch = (n: number) => Array.from({ length: n }, () => taggedRecord(id++));
    await putRecords(h.kinesis, stream, batch(200));
    await splitFirstOpenShard(h.kinesis, stream);
    await putRecords(h.kinesis, stream, batch(200));
    await mergeLastAdjacentShards(h.kinesis, stream);
    await putRecords(h.kinesis, stream, batch(200));

    const archiver = await h.archiver();
    const summary = await archiver.runOnce(stream);
    expect(summary.records).toBe(600);
    const shards = await listShards(h.kinesis, stream);
    expect(shards.length).toBeGreaterThanOrEqual(5);
    const leases = await new LeaseRepository(h.dataSource).list(stream);
    const finishedAt = new Map(leases.map((l) => [l.shardId, l.finishedAt]));
    for (const s of shards.filter((x) => x.ParentShardId)) {
      for (const parent of [s.ParentShardId, s.AdjacentParentShardId].filter(Boolean) as string[]) {
        expect(finishedAt.get(parent)).not.toBeNull();
      }
    }
    // Per partition key, the archive in commit order (announcement time, then row order) is production order.
    const objects = new Map((await readArchive(h.store, stream)).map((o) => [h.store.uri(o.key), o.rows]));
    const announced = (await h.announcements())
      .filter((m) => (m.payload as { stream: string }).stream === stream)
      .sort((a, b) => String(a.occurredAt).localeCompare(String(b.occurredAt)));
    const rows = announced.flatMap((m) => objects.get((m.payload as { objectUri: string }).objectUri)!);
    expect(rows).toHaveLength(600);
    expect(new Set(rows.map((r) => recordId(r.data))).size).toBe(600);
    const byKey = new Map<string, number[]>();
    for (const r of rows) byKey.set(r.partitionKey, [...(byKey.get(r.partitionKey) ?? []), recordId(r.data)]);
    for (const ids of byKey.values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('finishes closed parents and then reads their child in one --once run, however long before the merge their last record came', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    let id = 0;
    const batch = (n: number) => Array.from({ length: n }, () => taggedRecord(id++));
    await putRecords(h.kinesis, stream, batch(100));
    // A closed shard may answer one empty, caught-up page before the page that says it ended (kinesalite does when
    // the shard was closed more than a second after its last record): the drain must not stop there.
    await new Promise((r) => setTimeout(r, 1500));
    const parents = await mergeLastAdjacentShards(h.kinesis, stream);
    await putRecords(h.kinesis, stream, batch(100));

    const summary = await (await h.archiver()).runOnce(stream);
    expect(summary.records).toBe(200);
    const leases = await new LeaseRepository(h.dataSource).list(stream);
    for (const parent of parents) expect(leases.find((l) => l.shardId === parent)?.finishedAt).not.toBeNull();
    const ids = (await readArchive(h.store, stream)).flatMap((o) => o.rows.map((r) => recordId(r.data)));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('with FLUX_ARCHIVER_SORT=partition_key writes each object sorted by partition key, each key in sequence order', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    await putRecords(h.kinesis, stream, Array.from({ length: 300 }, (_, i) => taggedRecord(i)));
    const archiver = await h.archiver({ rowOrder: 'partition_key' });
    expect((await archiver.runOnce(stream)).records).toBe(300);

    const objects = await readArchive(h.store, stream);
    for (const o of objects) {
      const keys = o.rows.map((r) => r.partitionKey);
      expect(keys).toEqual([...keys].sort());
      for (const key of new Set(keys)) {
        for (const shard of o.shards) {
          const seqs = o.rows.filter((r) => r.partitionKey === key && r.shardId === shard.shardId).map((r) => r.sequenceNumber);
          expect(seqs).toEqual([...seqs].sort(compareSequenceNumbers));
        }
      }
    }
    expect(objects.flatMap((o) => o.rows.map((r) => recordId(r.data))).sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('recovers a leftover intent of several shards by rewriting exactly their ranges under the same key', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    const shards = await listShards(h.kinesis, stream);
    // Records go to a chosen shard through an explicit hash key: 25 to each.
    const produced = Array.from({ length: 50 }, (_, i) => ({ ...taggedRecord(i), explicitHashKey: i % 2 === 0 ? '0' : shards[1].HashKeyRange!.StartingHashKey! }));
    await putRecords(h.kinesis, stream, produced);
    // A crashed archiver recorded one intent for the first 10 records of each shard and died before committing it.
    const repo = new LeaseRepository(h.dataSource);
    await repo.syncShards(stream, shards.map((s) => ({ shardId: s.ShardId!, parentShardIds: [], closed: false })), { type: 'TRIM_HORIZON' });
    const leases = [];
    const ranges = [];
    let arrival = Infinity;
    for (const s of shards) {
      const first = await readFirstSequences(h, stream, s.ShardId!, 10);
      arrival = Math.min(arrival, first[0].arrival);
      leases.push((await repo.acquire(stream, s.ShardId!, 'crashed-worker', 60_000))!.lease);
      ranges.push({ shardId: s.ShardId!, firstSequenceNumber: first[0].seq, lastSequenceNumber: first[9].seq, recordCount: 10 });
    }
    const key = multiShardObjectKey({ stream, ...partitionOf(arrival), id: 'crashed-0001' });
    await repo.recordIntent(leases, { stream, objectKey: key, ranges, fields: [] });
    await h.dataSource.query(`UPDATE archiver_shard_lease SET lease_expires_at = now() - interval '1 second' WHERE stream_name = $1`, [stream]);

    const summary = await (await h.archiver()).runOnce(stream);
    expect(summary.records).toBe(50);
    const objects = await readArchive(h.store, stream);
    const recovered = objects.find((o) => o.key === key)!;
    expect(recovered.shards).toEqual(ranges);
    expect(recovered.rows.map((r) => recordId(r.data)).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const ids = objects.flatMap((o) => o.rows.map((r) => recordId(r.data))).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const s of shards) expect(await repo.intentKeyOf(stream, s.ShardId!)).toBeNull();
  });

  it('writes the records of every shard it holds into one object per flush, and commits all their checkpoints with it', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 4);
    const records = Array.from({ length: 200 }, (_, i) => taggedRecord(i));
    await putRecords(h.kinesis, stream, records);
    const archiver = await h.archiver({ bufferIntervalMs: 900_000 });
    archiver.start([stream]);
    // Every record is buffered (the spool budget counts data, partition key and a sequence number of 40+ digits each).
    const buffered = records.reduce((n, r) => n + r.data.length + r.partitionKey.length + 40, 0);
    await vi.waitFor(() => expect(archiver.health().spool.bufferedBytes).toBeGreaterThanOrEqual(buffered), { timeout: 20_000, interval: 100 });
    expect(await readArchive(h.store, stream)).toHaveLength(0);
    await archiver.stop(10_000);
    const objects = await readArchive(h.store, stream);
    expect(objects.flatMap((o) => o.rows)).toHaveLength(200);
    // Stopping writes what is buffered: all four shards' records in one object.
    expect(objects).toHaveLength(1);
    expect(objects[0].shards).toHaveLength(4);
    const checkpoints = new Map((await new LeaseRepository(h.dataSource).list(stream)).map((l) => [l.shardId, l.checkpoint]));
    for (const r of objects[0].shards) expect(checkpoints.get(r.shardId)).toBe(r.lastSequenceNumber);
  });

  it('writes one object per shard with FLUX_ARCHIVER_OBJECT_SCOPE=shard', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 3);
    await putRecords(h.kinesis, stream, Array.from({ length: 90 }, (_, i) => taggedRecord(i)));
    const summary = await (await h.archiver({ objectScope: 'shard' })).runOnce(stream);
    expect(summary.records).toBe(90);
    const objects = await readArchive(h.store, stream);
    expect(objects).toHaveLength(3);
    for (const o of objects) expect(o.shards).toHaveLength(1);
  });

  it('keeps the records it has read but not written within the spool budget: reading waits while buffers are written', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    // 3,000 records of ~1 KiB (about 3 MiB) against a 1 MiB spool; the size and interval hints are out of reach, so
    // only the spool budget makes objects.
    for (let i = 0; i < 3000; i += 500) await putRecords(h.kinesis, stream, Array.from({ length: 500 }, (_, j) => taggedRecord(i + j, 1000)));
    const archiver = await h.archiver({ bufferSizeBytes: 64 * 1024 * 1024, bufferIntervalMs: 900_000, spoolBytes: 1024 * 1024 });
    const summary = await archiver.runOnce(stream);
    expect(summary.records).toBe(3000);
    const { spool, memory } = archiver.health();
    // Pages are sized to a quarter of the spool (~250 records); the last one read before a wait may pass the budget
    // by what it holds beyond its reservation (records a little larger than the shard's last ones).
    expect(spool.peakBytes).toBeLessThanOrEqual(spool.budgetBytes * 1.05);
    expect(spool.waits).toBeGreaterThan(0);
    expect(summary.objects).toBeGreaterThanOrEqual(3);
    expect(spool.usedBytes).toBe(0);
    expect(memory.usedBytes).toBe(0);
    // back to 0 by exact accounting, not by a release clamped at 0
    expect(spool.overReleasedBytes).toBe(0);
    expect(memory.overReleasedBytes).toBe(0);
    const ids = (await readArchive(h.store, stream)).flatMap((o) => o.rows.map((r) => recordId(r.data)));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('keeps the GetRecords pages it holds within the memory budget: a page is reserved before its call and freed once on disk', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    for (let i = 0; i < 2000; i += 500) await putRecords(h.kinesis, stream, Array.from({ length: 500 }, (_, j) => taggedRecord(i + j, 1000)));
    // 256 KiB for pages: each shard's share is below the smallest page (64 KiB of response, held three times over
    // while read), so the two shards take turns.
    const archiver = await h.archiver({}, { pageBudgetBytes: 256 * 1024 });
    const summary = await archiver.runOnce(stream);
    expect(summary.records).toBe(2000);
    const { memory } = archiver.health();
    expect(memory.budgetBytes).toBe(256 * 1024);
    expect(memory.peakBytes).toBeGreaterThan(0);
    // a page's response may be a little larger than its reservation: it is counted as it came
    expect(memory.peakBytes).toBeLessThanOrEqual(memory.budgetBytes * 1.1);
    expect(memory.peakBytes).toBeGreaterThanOrEqual(4 * 60 * 1000);
    expect(memory.waits).toBeGreaterThan(0);
    expect(memory.usedBytes).toBe(0);
    expect(memory.overReleasedBytes).toBe(0);
    const ids = (await readArchive(h.store, stream)).flatMap((o) => o.rows.map((r) => recordId(r.data)));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('takes over the shards of an instance that stopped renewing, within a lease period', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 2);
    await putRecords(h.kinesis, stream, Array.from({ length: 100 }, (_, i) => taggedRecord(i)));
    const repo = new LeaseRepository(h.dataSource);
    const shards = await listShards(h.kinesis, stream);
    await repo.syncShards(stream, shards.map((s) => ({ shardId: s.ShardId!, parentShardIds: [], closed: false })), { type: 'TRIM_HORIZON' });
    for (const s of shards) await repo.acquire(stream, s.ShardId!, 'dead-worker', 2_000);

    const archiver = await h.archiver();
    archiver.start([stream]);
    let ids: number[] = [];
    try {
      await vi.waitFor(
        async () => {
          ids = (await readArchive(h.store, stream)).flatMap((o) => o.rows.map((r) => recordId(r.data)));
          expect(ids.length).toBeGreaterThanOrEqual(100);
        },
        { timeout: 30_000, interval: 500 },
      );
    } finally {
      await archiver.stop(5_000);
    }
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const leases = await repo.list(stream);
    expect(leases.every((l) => l.owner === null)).toBe(true);
    expect(leases.every((l) => Number(l.leaseCounter) === 2)).toBe(true);
  });

  it('flushes buffered records on graceful stop', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await putRecords(h.kinesis, stream, Array.from({ length: 30 }, (_, i) => taggedRecord(i)));
    const archiver = await h.archiver({ bufferIntervalMs: 900_000 });
    archiver.start([stream]);
    await vi.waitFor(() => expect(archiver.health().shards[0]?.oldestUnarchivedAgeMs).toBeGreaterThan(0), { timeout: 20_000, interval: 100 });
    expect(await readArchive(h.store, stream)).toHaveLength(0);
    await archiver.stop(10_000);
    expect((await readArchive(h.store, stream)).flatMap((o) => o.rows)).toHaveLength(30);
  });

  it('fails with an error naming a missing stream and keeps other checkpoints', async () => {
    const archiver = await h.archiver();
    await expect(archiver.runOnce('no-such-stream-xyz')).rejects.toThrow(StreamNotFoundError);
    await expect(archiver.runOnce('no-such-stream-xyz')).rejects.toThrow(/no-such-stream-xyz/);
  });

  it('writes the same archive to a file:// directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-file-archive-'));
    const fh = await ArchiverHarness.create({ FLUX_ARCHIVE_URI: `file://${dir}` });
    try {
      const stream = uniqueName('s');
      await createStream(fh.kinesis, stream, 1);
      await putRecords(fh.kinesis, stream, Array.from({ length: 40 }, (_, i) => taggedRecord(i)));
      const summary = await (await fh.archiver()).runOnce(stream);
      expect(summary.records).toBe(40);
      const objects = await readArchive(fh.store, stream);
      expect(objects.flatMap((o) => o.rows)).toHaveLength(40);
      expect(fh.store.uri(objects[0].key).startsWith(`file://${dir}/${stream}/dt=`)).toBe(true);
    } finally {
      await fh.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function readFirstSequences(h: ArchiverHarness, stream: string, shardId: string, n: number) {
  const { GetShardIteratorCommand, GetRecordsCommand } = await import('@aws-sdk/client-kinesis');
  const it = await h.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }));
  const out = await h.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: n }));
  return (out.Records ?? []).map((r) => ({ seq: r.SequenceNumber!, arrival: r.ApproximateArrivalTimestamp!.getTime() }));
}
