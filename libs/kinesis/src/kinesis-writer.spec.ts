import { ListShardsCommand, PutRecordsCommand, type KinesisClient, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import { KinesisWriter, type WriteAck, type WriteRejection } from './kinesis-writer';

/**
 * Contract test: kinesalite never answers PutRecords entries with InternalFailure or KMS errors, nor whole calls with
 * 5xx or AccessDenied, so these paths run against a fake client answering as the PutRecords documentation says
 * (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html). The fake also checks the writer's
 * first rule directly: no partition key is ever in two unanswered calls at once.
 */
type Entry = { PartitionKey: string; Data: Uint8Array };
type Answer = (records: Entry[]) => PutRecordsResultEntry[] | Error;

function fakeKinesis(answer: Answer) {
  const inFlight = new Map<string, number>();
  const calls: string[][] = [];
  let overlaps = 0;
  const client = {
    send: async (command: ListShardsCommand | PutRecordsCommand) => {
      if (command instanceof ListShardsCommand) {
        return {
          Shards: [
            { ShardId: 'shardId-000000000000', HashKeyRange: { StartingHashKey: '0', EndingHashKey: (2n ** 128n - 1n).toString() }, SequenceNumberRange: { StartingSequenceNumber: '1' } },
          ],
        };
      }
      const records = (command.input.Records ?? []) as Entry[];
      calls.push(records.map((r) => r.PartitionKey));
      for (const r of records) {
        if (inFlight.has(r.PartitionKey)) overlaps++;
        inFlight.set(r.PartitionKey, 1);
      }
      await new Promise((r) => setTimeout(r, 2));
      for (const r of records) inFlight.delete(r.PartitionKey);
      const out = answer(records);
      if (out instanceof Error) throw out;
      return { FailedRecordCount: out.filter((e) => e.ErrorCode).length, Records: out };
    },
  };
  return { client: client as unknown as KinesisClient, calls, overlaps: () => overlaps };
}

const ok = (i: number): PutRecordsResultEntry => ({ ShardId: 'shardId-000000000000', SequenceNumber: String(1000 + i) });
const awsError = (name: string, status: number, fault: 'client' | 'server') => Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });
const record = (i: number, key = `k${i % 3}`) => ({ partitionKey: key, data: Buffer.from(String(i)), ordinal: i });

async function run(answer: Answer, count: number) {
  const fake = fakeKinesis(answer);
  const acks: WriteAck[] = [];
  const rejections: WriteRejection[] = [];
  const writer = await KinesisWriter.open(fake.client, {
    stream: 's',
    maxBatchRecords: 4,
    onAck: (a) => acks.push(...a),
    onReject: (r) => rejections.push(...r),
  });
  for (let i = 0; i < count; i++) await writer.write(record(i));
  const flushed = writer.flush();
  return { fake, writer, acks, rejections, flushed };
}

describe('KinesisWriter against the documented PutRecords answers', () => {
  it('retries InternalFailure entries before any later record of their key and never overlaps a key', async () => {
    let n = 0;
    const { fake, acks, flushed } = await run((records) => records.map((_, i) => (n++ % 3 === 0 ? { ErrorCode: 'InternalFailure', ErrorMessage: 'x' } : ok(i))), 30);
    await flushed;
    expect(fake.overlaps()).toBe(0);
    // Per key, acks come in write order.
    for (const key of ['k0', 'k1', 'k2']) {
      const ordinals = acks.filter((a) => a.record.partitionKey === key).map((a) => a.record.ordinal);
      expect(ordinals).toEqual([...ordinals].sort((a, b) => a - b));
      expect(ordinals).toHaveLength(10);
    }
  });

  it('rejects entries with a KMS error code without retrying them', async () => {
    const { writer, acks, rejections, flushed } = await run(
      (records) => records.map((r, i) => (r.Data.toString() === '4' ? { ErrorCode: 'KMSAccessDeniedException', ErrorMessage: 'denied' } : ok(i))),
      9,
    );
    await flushed;
    expect(rejections).toEqual([expect.objectContaining({ record: expect.objectContaining({ ordinal: 4 }), errorCode: 'KMSAccessDeniedException' })]);
    expect(acks).toHaveLength(8);
    expect(writer.stats()).toMatchObject({ put: 8, rejected: 1, retried: 0 });
  });

  it('retries a whole call that failed with a 5xx', async () => {
    let failed = false;
    const { writer, acks, flushed } = await run((records) => {
      if (!failed) {
        failed = true;
        return awsError('InternalFailure', 500, 'server');
      }
      return records.map((_, i) => ok(i));
    }, 6);
    await flushed;
    expect(acks.map((a) => a.record.ordinal).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(writer.stats().retried).toBeGreaterThan(0);
  });

  it('stops on AccessDenied: flush rejects with it and nothing is acked', async () => {
    const { acks, flushed } = await run(() => awsError('AccessDeniedException', 400, 'client'), 5);
    await expect(flushed).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(acks).toEqual([]);
  });

  it('halves the rate of a shard that throttled an entry, and retries the entry', async () => {
    let calls = 0;
    const { writer, flushed } = await run(
      (records) =>
        records.map((_, i) => (calls++ === 0 ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded' } : ok(i))),
      3,
    );
    await flushed;
    const rate = writer.shardRate('shardId-000000000000') ?? 0;
    // Nominal 1000 records/s less the 20 % reserve, halved once; recovery only starts after a second without throttling.
    expect(rate).toBeLessThanOrEqual(800 / 2 + 1);
    expect(rate).toBeGreaterThanOrEqual(8);
    expect(writer.stats()).toMatchObject({ throttled: 1, retried: 1, put: 3 });
  });
});
