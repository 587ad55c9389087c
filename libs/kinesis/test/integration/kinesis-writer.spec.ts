import {
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { AbortedError, KinesisWriter, StreamNotFoundError, type WriteAck, type WriteRecord, type WriteRejection } from '@flux-capacitor/kinesis';
import type { KinesisWriterOptions } from '../../src/kinesis-writer';
import { createStream as createTestStream, startKinesisFaultProxy, testConfig, uniqueName } from '@flux-capacitor/testing';

let kinesis: KinesisClient;
const streams: string[] = [];

beforeAll(() => {
  kinesis = createKinesisClient(testConfig().aws);
});

afterAll(async () => {
  for (const stream of streams) await kinesis.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis.destroy();
});

async function createStream(shards: number): Promise<string> {
  const stream = await createTestStream(kinesis, uniqueName('writer'), shards);
  streams.push(stream);
  return stream;
}

/** Records of `keys` keys, round robin; the data names the ordinal so read-back can check order. */
function records(count: number, keys: number): WriteRecord[] {
  return Array.from({ length: count }, (_, ordinal) => ({
    partitionKey: `key-${ordinal % keys}`,
    data: Buffer.from(`${ordinal}:${'x'.repeat(40)}`),
    ordinal,
  }));
}

/** Every record of the stream, shard by shard in sequence order, as partition key and ordinal. */
async function readBack(stream: string, shardIds: string[]): Promise<{ partitionKey: string; ordinal: number }[]> {
  const out: { partitionKey: string; ordinal: number }[] = [];
  for (const shardId of shardIds) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' })))
      .ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of page.Records ?? []) {
        out.push({ partitionKey: r.PartitionKey ?? '', ordinal: Number(Buffer.from(r.Data ?? []).toString('latin1').split(':')[0]) });
      }
      if ((page.Records ?? []).length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
  return out;
}

/** Writes everything, collecting acks and rejections, then flushes. */
async function writeAll(client: KinesisClient, options: KinesisWriterOptions, input: WriteRecord[]) {
  const acks: WriteAck[] = [];
  const ackBatches: number[] = [];
  const rejections: WriteRejection[] = [];
  const writer = await KinesisWriter.open(client, {
    ...options,
    onAck: (a) => {
      acks.push(...a);
      ackBatches.push(a.length);
    },
    onReject: (r) => rejections.push(...r),
  });
  for (const record of input) await writer.write(record);
  await writer.flush();
  return { writer, acks, ackBatches, rejections };
}

function expectEachOnce(acks: WriteAck[], count: number) {
  const ordinals = acks.map((a) => a.record.ordinal).sort((a, b) => a - b);
  expect(ordinals).toEqual(Array.from({ length: count }, (_, i) => i));
}

/** Per key, the ordinals read back are exactly the written ones, in write order. */
function expectPerKeyOrder(read: { partitionKey: string; ordinal: number }[], written: WriteRecord[]) {
  const byKey = (rows: { partitionKey: string; ordinal: number }[]) => {
    const m = new Map<string, number[]>();
    for (const r of rows) m.set(r.partitionKey, [...(m.get(r.partitionKey) ?? []), r.ordinal]);
    return m;
  };
  const expected = byKey(written);
  const actual = byKey(read);
  expect(actual.size).toBe(expected.size);
  for (const [key, ordinals] of expected) expect(actual.get(key), key).toEqual(ordinals);
}

describe('KinesisWriter (kinesalite)', () => {
  it('acks every record exactly once and keeps each key in write order on the stream', async () => {
    const stream = await createStream(4);
    const input = records(5000, 200);
    const { writer, acks, rejections } = await writeAll(kinesis, { stream }, input);
    expect(rejections).toEqual([]);
    expectEachOnce(acks, input.length);
    expect(writer.stats()).toMatchObject({ put: 5000, rejected: 0, queued: 0, inFlight: 0 });
    // Acks name the shard the router predicted.
    for (const a of acks.slice(0, 50)) expect(a.shardId).toBe(writer.router.shardFor(a.record.partitionKey));
    expectPerKeyOrder(await readBack(stream, writer.router.shardIds), input);
  });

  it('never lets a retried record overtake a later record of its key when 30 % of entries are throttled', async () => {
    const stream = await createStream(4);
    const proxy = await startKinesisFaultProxy(testConfig().aws.endpoints.kinesis ?? '', { putThrottleRate: 0.3, seed: 7 });
    const aws = testConfig().aws;
    const throttledClient = createKinesisClient({ ...aws, endpoints: { ...aws.endpoints, kinesis: proxy.url } });
    try {
      const input = records(5000, 200);
      // Shard limits far above what the proxy lets through, so AIMD's floor does not make the test crawl.
      const { writer, acks, rejections } = await writeAll(
        throttledClient,
        { stream, shardRecordsPerSecond: 200_000, shardBytesPerSecond: 200 * 1024 * 1024 },
        input,
      );
      expect(rejections).toEqual([]);
      expectEachOnce(acks, input.length);
      const stats = writer.stats();
      expect(stats.throttled).toBeGreaterThan(0);
      expect(stats.retried).toBeGreaterThanOrEqual(stats.throttled);
      expect(stats.throttled).toBe(proxy.throttledEntries());
      // AIMD: the throttled shards run below their configured rate.
      expect(writer.router.shardIds.some((id) => (writer.shardRate(id) ?? Infinity) < 200_000 * 0.8)).toBe(true);
      expectPerKeyOrder(await readBack(stream, writer.router.shardIds), input);
    } finally {
      throttledClient.destroy();
      await proxy.close();
    }
  });

  it('rejects a record over 1 MiB through onReject without a call and writes the others', async () => {
    const stream = await createStream(1);
    const input = records(20, 3);
    const big: WriteRecord = { partitionKey: 'key-1', data: Buffer.alloc(1024 * 1024 + 1), ordinal: 999 };
    const { writer, acks, rejections } = await writeAll(kinesis, { stream }, [...input.slice(0, 10), big, ...input.slice(10)]);
    expect(rejections).toHaveLength(1);
    expect(rejections[0]).toMatchObject({ record: { ordinal: 999 }, errorCode: 'ValidationException' });
    expectEachOnce(acks, 20);
    expect(writer.stats()).toMatchObject({ put: 20, rejected: 1 });
    expectPerKeyOrder(await readBack(stream, writer.router.shardIds), input);
  });

  it('finds the record Kinesis refuses for a whole call and rejects only that one', async () => {
    const stream = await createStream(1);
    const input = records(20, 3);
    const big: WriteRecord = { partitionKey: 'key-2', data: Buffer.alloc(1024 * 1024 + 1), ordinal: 999 };
    // A local limit above Kinesis' own, so the record reaches kinesalite, which refuses the whole PutRecords call.
    const { writer, acks, rejections } = await writeAll(kinesis, { stream, maxRecordBytes: 2 * 1024 * 1024 }, [big, ...input]);
    expect(rejections).toEqual([expect.objectContaining({ record: big, errorCode: 'ValidationException' })]);
    expectEachOnce(acks, 20);
    expect(writer.stats().calls).toBeGreaterThan(1);
    expectPerKeyOrder(await readBack(stream, writer.router.shardIds), input);
  });

  it('stops when its signal aborts: flush rejects and unsent records stay unacked', async () => {
    const stream = await createStream(1);
    const controller = new AbortController();
    const acked: WriteAck[] = [];
    const writer = await KinesisWriter.open(kinesis, {
      stream,
      recordsPerSecond: 20,
      signal: controller.signal,
      onAck: (a) => {
        acked.push(...a);
        controller.abort();
      },
    });
    for (const record of records(200, 50)) await writer.write(record);
    await expect(writer.flush()).rejects.toBeInstanceOf(AbortedError);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.length).toBeLessThan(200);
    await expect(writer.write(records(1, 1)[0])).rejects.toBeInstanceOf(AbortedError);
  });

  it('fails flush when the stream is deleted under it (no retry can help)', async () => {
    const stream = await createStream(1);
    const writer = await KinesisWriter.open(kinesis, { stream });
    await kinesis.send(new DeleteStreamCommand({ StreamName: stream }));
    for (const record of records(10, 2)) await writer.write(record);
    await expect(writer.flush()).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(KinesisWriter.open(kinesis, { stream })).rejects.toBeInstanceOf(StreamNotFoundError);
  });

  it('holds every call to the overall recordsPerSecond cap (no call carries more than one second of tokens)', async () => {
    const stream = await createStream(2);
    const input = records(250, 250);
    const { writer, acks, ackBatches } = await writeAll(kinesis, { stream, recordsPerSecond: 100 }, input);
    expectEachOnce(acks, 250);
    expect(Math.max(...ackBatches)).toBeLessThanOrEqual(100);
    expect(writer.stats().calls).toBeGreaterThanOrEqual(3);
  });
});
