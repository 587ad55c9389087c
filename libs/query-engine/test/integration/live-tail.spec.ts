import { CreateStreamCommand, DeleteStreamCommand, PutRecordsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { KinesisLiveTail } from '../../src/live-tail';
import { freePort } from '@flux-capacitor/local-stack';
import { testConfig, uniqueName } from '@flux-capacitor/testing';

let kinesis: KinesisClient;
let stream: string;

beforeAll(async () => {
  kinesis = createKinesisClient(testConfig().aws);
  stream = uniqueName('tail');
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: stream });
  for (let batch = 0; batch < 2; batch++) {
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: Array.from({ length: 10 }, (_, i) => ({ PartitionKey: `k${batch * 10 + i}`, Data: Buffer.from(JSON.stringify({ n: batch * 10 + i })) })),
      }),
    );
  }
});

afterAll(async () => {
  await kinesis.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis.destroy();
});

describe('KinesisLiveTail (kinesalite)', () => {
  it('reads a shard from TRIM_HORIZON when nothing of it is archived', async () => {
    const tail = await new KinesisLiveTail(kinesis).read(stream, new Map(), { maxRecords: 1000, budgetMs: 10_000 });
    expect(tail).toMatchObject({ shardsRead: 1, truncated: false });
    expect(tail.records.map((r) => r.partitionKey)).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}`));
    expect(JSON.parse(Buffer.from(tail.records[3].data).toString())).toEqual({ n: 3 });
  });

  it('starts after the archive checkpoint of the shard (AFTER_SEQUENCE_NUMBER)', async () => {
    const all = await new KinesisLiveTail(kinesis).read(stream, new Map(), { maxRecords: 1000, budgetMs: 10_000 });
    const checkpoint = all.records[11];
    const tail = await new KinesisLiveTail(kinesis).read(stream, new Map([[checkpoint.shardId, checkpoint.sequenceNumber]]), { maxRecords: 1000, budgetMs: 10_000 });
    expect(tail.records.map((r) => r.partitionKey)).toEqual(Array.from({ length: 8 }, (_, i) => `k${i + 12}`));
  });

  it('stops at the record cap and says the tail was truncated', async () => {
    const tail = await new KinesisLiveTail(kinesis).read(stream, new Map(), { maxRecords: 5, budgetMs: 10_000 });
    expect(tail.records).toHaveLength(5);
    expect(tail.truncated).toBe(true);
  });

  it('finds no shards for a stream Kinesis does not have', async () => {
    const tail = await new KinesisLiveTail(kinesis).read(uniqueName('missing'), new Map(), { maxRecords: 5, budgetMs: 10_000 });
    expect(tail).toEqual({ records: [], shardsRead: 0, truncated: false });
  });

  it('reports Kinesis that does not answer as unavailable, keeping the SDK error as the cause', async () => {
    const port = await freePort();
    const down = createKinesisClient({ ...testConfig().aws, endpoints: { ...testConfig().aws.endpoints, kinesis: `http://127.0.0.1:${port}` } });
    const error = await new KinesisLiveTail(down).read(stream, new Map(), { maxRecords: 10, budgetMs: 5_000 }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'LIVE_TAIL_UNAVAILABLE' });
    expect((error as Error).cause).toBeInstanceOf(Error);
    down.destroy();
  });
});
