import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetEngine } from '@flux-capacitor/archive';
import { ObjectBuffer } from './object-buffer';

const lease = (shardId: string) => ({ stream: 'orders', shardId, owner: 'w', counter: '1' });
const record = (seq: number, data: string) => ({
  SequenceNumber: String(seq),
  ApproximateArrivalTimestamp: new Date('2026-12-01T10:00:00Z'),
  PartitionKey: `k${seq}`,
  Data: Buffer.from(data),
});

describe('ObjectBuffer', () => {
  let engine: ParquetEngine;
  let dir: string;
  beforeAll(async () => {
    engine = await ParquetEngine.create({ threads: 1 });
    dir = mkdtempSync(join(tmpdir(), 'flux-object-buffer-'));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps one contiguous range per shard and names them in shard order', async () => {
    const b = new ObjectBuffer('orders', await engine.openBatch(), { dt: '2026-12-01', hour: 10 }, 0, '0');
    try {
      b.add(lease('shard-b'), record(5, 'x'));
      b.add(lease('shard-a'), record(1, 'y'));
      b.add(lease('shard-b'), record(9, 'z'));
      expect(b.shardRanges()).toEqual([
        { shardId: 'shard-a', firstSequenceNumber: '1', lastSequenceNumber: '1', recordCount: 1 },
        { shardId: 'shard-b', firstSequenceNumber: '5', lastSequenceNumber: '9', recordCount: 2 },
      ]);
      expect(b.records).toBe(3);
    } finally {
      await b.batch.discard();
    }
  });

  it('removes a shard once, however many callers ask at the same time, and keeps the other rows', async () => {
    const b = new ObjectBuffer('orders', await engine.openBatch(), { dt: '2026-12-01', hour: 10 }, 0, '0');
    try {
      const kept = b.add(lease('shard-a'), record(1, 'keep'));
      const dropped = b.add(lease('shard-b'), record(2, 'drop')) + b.add(lease('shard-b'), record(3, 'drop'));
      const freed = await Promise.all([b.removeShard('shard-b'), b.removeShard('shard-b')]);
      expect(freed.sort((x, y) => x - y)).toEqual([0, dropped]);
      expect(b.records).toBe(1);
      expect(b.bytes).toBe(kept);
      expect(b.shardRanges().map((r) => r.shardId)).toEqual(['shard-a']);
      const path = join(dir, 'o.parquet');
      await b.batch.writeTo(path, b.shardRanges());
      expect((await engine.read(path)).map((r) => [r.shardId, Buffer.from(r.data).toString()])).toEqual([['shard-a', 'keep']]);
    } finally {
      await b.batch.discard();
    }
  });
});
