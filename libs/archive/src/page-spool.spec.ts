import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import { base64Bytes, PageSpool, type SpoolRecord } from './page-spool';
import { archiveFieldColumns, ParquetEngine } from './parquet';

/** The spool's records as ArchiveRecords, as the archiver's appender path would have appended them. */
const asArchiveRecord = (stream: string, shardId: string, r: SpoolRecord): ArchiveRecord => ({
  stream,
  shardId,
  sequenceNumber: r.SequenceNumber,
  subSequenceNumber: r.SubSequenceNumber ?? 0,
  partitionKey: r.PartitionKey,
  explicitHashKey: r.ExplicitHashKey ?? null,
  arrivalTime: Math.round(r.ApproximateArrivalTimestamp * 1000),
  data: Buffer.from(r.Data, 'base64'),
});

const wire = (seq: bigint, data: Uint8Array | string, extra: Partial<SpoolRecord> = {}): SpoolRecord => ({
  SequenceNumber: String(seq),
  ApproximateArrivalTimestamp: 1764583230.123 + Number(seq % 1000n) / 1000,
  Data: Buffer.from(data).toString('base64'),
  PartitionKey: `key-${seq % 7n}`,
  ...extra,
});

describe('PageSpool', () => {
  let engine: ParquetEngine;
  let dir: string;
  beforeAll(async () => {
    engine = await ParquetEngine.create({ threads: 2 });
    dir = mkdtempSync(join(tmpdir(), 'flux-spool-'));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const fields = archiveFieldColumns([['id'], ['note'], ['deep', 'x']]);
  const base = 49590338271490256608559692538361571095921575989136588898n;
  const odd: SpoolRecord[] = [
    wire(base, '{"id":1,"note":"żółw","deep":{"x":[1,2]}}'),
    wire(base + 1n, new Uint8Array(256).map((_, i) => i), { SubSequenceNumber: 3, ExplicitHashKey: '340282366920938463463374607431768211455' }),
    wire(base + 2n, ''),
    wire(base + 3n, 'not json', { PartitionKey: 'ключ "quoted" \\ key' }),
    wire(base + 4n, '{"id":1e400}'),
    wire(base + 5n, Buffer.from([0xc3, 0x28])),
  ];

  it('writes the same object as the appender path: same columns, types, rows and field values, in either row order', async () => {
    for (const order of ['sequence', 'partition_key'] as const) {
      const spool = await PageSpool.open(engine, dir, 'orders');
      const batch = await engine.openBatch();
      try {
        // Records as a response body has them once read (wireRecordsText): objects one after another, any whitespace
        // between, one spread over lines, keys AWS adds; then records of another shard the spool writes itself.
        const [r0, r1, r2] = odd.slice(0, 3);
        const text = `${JSON.stringify({ ...r0, EncryptionType: 'NONE' })}\n ${JSON.stringify(r1, null, 2)}\t\r\n${JSON.stringify(r2)}`;
        spool.add('shardId-000000000000', odd.slice(0, 3), Buffer.from(text));
        spool.add('shard/with odd-chars', odd.slice(3));
        for (const r of odd.slice(0, 3)) batch.append(asArchiveRecord('orders', 'shardId-000000000000', r));
        for (const r of odd.slice(3)) batch.append(asArchiveRecord('orders', 'shard/with odd-chars', r));
        expect(spool.rowCount).toBe(odd.length);
        expect(spool.size).toBe(batch.size);
        const a = join(dir, `spool-${order}.parquet`);
        const b = join(dir, `batch-${order}.parquet`);
        expect(await spool.writeTo(a, undefined, fields, order)).toMatchObject({ rows: odd.length });
        await batch.writeTo(b, undefined, fields, order);
        expect(await engine.describe(a)).toEqual(await engine.describe(b));
        expect(await engine.read(a)).toEqual(await engine.read(b));
        expect(await engine.keyValueMetadata(a)).toEqual(await engine.keyValueMetadata(b));
      } finally {
        await spool.discard();
        await batch.discard();
      }
    }
  });

  it('keeps the order records were added in across hundreds of pages of several shards', async () => {
    const spool = await PageSpool.open(engine, dir, 'orders');
    try {
      const expected: string[] = [];
      for (let page = 0; page < 300; page++) {
        const shard = `shard-${page % 3}`;
        const records = Array.from({ length: 1 + (page % 5) }, (_, i) => wire(BigInt(page * 10 + i), `{"page":${page},"i":${i}}`));
        spool.add(shard, records, page % 2 === 0 ? Buffer.from(records.map((r) => JSON.stringify(r)).join(' ')) : undefined);
        for (const r of records) expected.push(`${shard}/${r.SequenceNumber}`);
      }
      const path = join(dir, 'order.parquet');
      await spool.writeTo(path);
      expect((await engine.read(path)).map((r) => `${r.shardId}/${r.sequenceNumber}`)).toEqual(expected);
    } finally {
      await spool.discard();
    }
  });

  it('drops a shard whose lease was lost, refuses to write nothing, and leaves no file behind', async () => {
    const spool = await PageSpool.open(engine, dir, 'orders');
    spool.add('a', [wire(1n, 'keep')]);
    spool.add('b', [wire(2n, 'drop'), wire(3n, 'drop')]);
    expect(spool.deleteShard('b')).toBe(2);
    expect(spool.deleteShard('b')).toBe(0);
    const path = join(dir, 'dropped.parquet');
    await spool.writeTo(path);
    expect((await engine.read(path)).map((r) => Buffer.from(r.data).toString())).toEqual(['keep']);
    expect(spool.deleteShard('a')).toBe(1);
    await expect(spool.writeTo(path)).rejects.toThrow(/empty/);
    await spool.discard();
    expect(readdirSync(dir).filter((f) => f.startsWith('spool-') && !f.endsWith('.parquet'))).toEqual([]);
    expect(() => spool.add('a', [wire(4n, 'late')])).toThrow(/discarded/);
  });

  it('fails the write, and writes no object, when a page holds data that is not base64', async () => {
    const spool = await PageSpool.open(engine, dir, 'orders');
    try {
      spool.add('a', [{ ...wire(1n, 'x'), Data: 'not base64!' }]);
      const path = join(dir, 'bad.parquet');
      await expect(spool.writeTo(path)).rejects.toThrow();
      expect(existsSync(path) && (await engine.read(path).catch(() => [])).length > 0).toBe(false);
    } finally {
      await spool.discard();
    }
  });

  it('counts base64 as the bytes it decodes to', () => {
    for (const n of [0, 1, 2, 3, 4, 1000]) expect(base64Bytes(Buffer.alloc(n, 7).toString('base64'))).toBe(n);
  });
});
