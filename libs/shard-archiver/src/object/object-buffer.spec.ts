import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PageSpool, ParquetEngine } from '@flux-capacitor/archive';
import { aggregate, scanGetRecords } from '@flux-capacitor/kinesis';
import { ObjectBuffer } from './object-buffer';

const lease = (shardId: string) => ({ stream: 'orders', shardId, owner: 'w', counter: '1' });
const ARRIVAL = Date.parse('2026-12-01T10:00:00.123Z') / 1000;
const record = (seq: number, data: string | Uint8Array, partitionKey = `k${seq}`) => ({
  SequenceNumber: String(seq),
  ApproximateArrivalTimestamp: ARRIVAL,
  PartitionKey: partitionKey,
  Data: Buffer.from(data).toString('base64'),
});

describe('ObjectBuffer', () => {
  let engine: ParquetEngine;
  let dir: string;
  const open = async () => new ObjectBuffer('orders', await PageSpool.open(engine, dir, 'orders'), { dt: '2026-12-01', hour: 10 }, 0, '0');
  beforeAll(async () => {
    engine = await ParquetEngine.create({ threads: 1 });
    dir = mkdtempSync(join(tmpdir(), 'flux-object-buffer-'));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one contiguous range per shard and names them in shard order', async () => {
    const b = await open();
    try {
      b.add(lease('shard-b'), [record(5, 'x')]);
      b.add(lease('shard-a'), [record(1, 'y')]);
      b.add(lease('shard-b'), [record(7, 'z'), record(9, 'w')]);
      expect(b.shardRanges()).toEqual([
        { shardId: 'shard-a', firstSequenceNumber: '1', lastSequenceNumber: '1', recordCount: 1 },
        { shardId: 'shard-b', firstSequenceNumber: '5', lastSequenceNumber: '9', recordCount: 3 },
      ]);
      expect(b.records).toBe(4);
      expect(b.minArrival).toBe(Date.parse('2026-12-01T10:00:00.123Z'));
    } finally {
      await b.spool.discard();
    }
  });

  it('removes a shard once, however many callers ask, and keeps the other rows', async () => {
    const b = await open();
    try {
      const kept = b.add(lease('shard-a'), [record(1, 'keep')]).bytes;
      const dropped = b.add(lease('shard-b'), [record(2, 'drop')]).bytes + b.add(lease('shard-b'), [record(3, 'drop')]).bytes;
      const freed = [b.removeShard('shard-b'), b.removeShard('shard-b')];
      expect(freed.sort((x, y) => x - y)).toEqual([0, dropped]);
      expect(b.records).toBe(1);
      expect(b.bytes).toBe(kept);
      expect(b.shardRanges().map((r) => r.shardId)).toEqual(['shard-a']);
      const path = join(dir, 'o.parquet');
      await b.spool.writeTo(path, b.shardRanges());
      expect((await engine.read(path)).map((r) => [r.shardId, Buffer.from(r.data).toString()])).toEqual([['shard-a', 'keep']]);
    } finally {
      await b.spool.discard();
    }
  });

  it('writes a KPL aggregate as its user records, each with its own key and position, between plain records in order', async () => {
    const b = await open();
    try {
      const users = [
        { partitionKey: 'u1', data: Buffer.from('{"n":1}') },
        { partitionKey: 'u2', explicitHashKey: '42', data: Buffer.from([0, 0xff, 1]) },
      ];
      const agg = aggregate(users);
      // A record that only starts with the magic bytes is no aggregate (its digest does not match): kept as it is.
      const fake = Buffer.concat([agg.subarray(0, 8), Buffer.from('not an aggregate')]);
      const { bytes: added } = b.add(lease('s'), [record(1, 'before'), record(2, agg, 'agg-key'), record(3, fake), record(4, 'after')]);
      expect(b.records).toBe(5);
      expect(added).toBe(b.bytes);
      const path = join(dir, 'kpl.parquet');
      await b.spool.writeTo(path, b.shardRanges());
      const rows = await engine.read(path);
      expect(rows.map((r) => [r.sequenceNumber, r.subSequenceNumber, r.partitionKey, r.explicitHashKey, Buffer.from(r.data).toString('hex')])).toEqual([
        ['1', 0, 'k1', null, Buffer.from('before').toString('hex')],
        ['2', 0, 'u1', null, Buffer.from('{"n":1}').toString('hex')],
        ['2', 1, 'u2', '42', '00ff01'],
        ['3', 0, 'k3', null, fake.toString('hex')],
        ['4', 0, 'k4', null, Buffer.from('after').toString('hex')],
      ]);
      expect(rows.every((r) => r.arrivalTime === Date.parse('2026-12-01T10:00:00.123Z'))).toBe(true);
    } finally {
      await b.spool.discard();
    }
  });

  it('stores a partition key with a lone surrogate as the appender did (U+FFFD), and a surrogate pair as it is', async () => {
    const b = await open();
    try {
      const page = [record(1, 'lone', 'a\ud800b'), record(2, 'pair', 'smile-\ud83d\ude00'), record(3, 'plain')];
      // The page as GetRecords sends it: JSON escapes the lone surrogate, which DuckDB's JSON reader refuses.
      const body = Buffer.from(JSON.stringify({ Records: page, NextShardIterator: 'x' }));
      expect(body.toString()).toContain('\\ud800');
      b.add(lease('s'), scanGetRecords(body).records);
      const path = join(dir, 'surrogates.parquet');
      await b.spool.writeTo(path, b.shardRanges());
      expect((await engine.read(path)).map((r) => r.partitionKey)).toEqual(['a\ufffdb', 'smile-\ud83d\ude00', 'k3']);
    } finally {
      await b.spool.discard();
    }
  });

  it('writes records read from response bodies as the bodies have them: a page whole, a run of one, a pretty-printed one', async () => {
    const b = await open();
    try {
      const page = (from: number, n: number, indent?: number) =>
        scanGetRecords(Buffer.from(JSON.stringify({ Records: Array.from({ length: n }, (_, i) => ({ ...record(from + i, `{"n":${from + i}}`), EncryptionType: 'NONE' })), NextShardIterator: 'x' }, null, indent))).records;
      b.add(lease('s'), page(1, 3));
      b.add(lease('s'), page(4, 5).slice(1, 4)); // 5, 6, 7
      b.add(lease('s'), page(8, 2, 2));
      const path = join(dir, 'scanned.parquet');
      await b.spool.writeTo(path, b.shardRanges());
      const rows = await engine.read(path);
      expect(rows.map((r) => [r.sequenceNumber, Buffer.from(r.data).toString(), r.partitionKey])).toEqual(
        [1, 2, 3, 5, 6, 7, 8, 9].map((n) => [String(n), `{"n":${n}}`, `k${n}`]),
      );
      expect(rows.every((r) => r.arrivalTime === Date.parse('2026-12-01T10:00:00.123Z') && r.shardId === 's')).toBe(true);
    } finally {
      await b.spool.discard();
    }
  });
});
