import { DeleteStreamCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { listShards } from '@flux-capacitor/kinesis';
import { freePort } from '@flux-capacitor/local-stack';
import { createStream, testConfig, uniqueName } from '@flux-capacitor/testing';
import { StreamTail } from '../../src/stream-tail';
import { encodeTailCursor, shardNumber } from '../../src/tail-cursor';

let kinesis: KinesisClient;
const stream = uniqueName('stail');
let shardIds: string[];
/** The sequence number of one record per shard, by shard id. */
const seqs = new Map<string, string>();

beforeAll(async () => {
  kinesis = createKinesisClient(testConfig().aws);
  await createStream(kinesis, stream, 4);
  const shards = await listShards(kinesis, stream);
  shardIds = shards.map((s) => s.ShardId!);
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: shards.map((s, i) => ({ PartitionKey: 'p', ExplicitHashKey: s.HashKeyRange!.StartingHashKey!, Data: Buffer.from(JSON.stringify({ i })) })),
    }),
  );
  out.Records!.forEach((r) => seqs.set(r.ShardId!, r.SequenceNumber!));
});

afterAll(async () => {
  await kinesis.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis.destroy();
});

describe('StreamTail (kinesalite)', () => {
  it('reads one shard a call when the time budget is spent, the rotation going on with the next', async () => {
    const tail = new StreamTail(kinesis, { budgetMs: 0 });
    let cursor: string | undefined;
    const seen: string[][] = [];
    for (let call = 0; call < 4; call++) {
      const page = await tail.read(stream, { start: { type: 'earliest' }, cursor, limit: 100 });
      seen.push([...new Set(page.records.map((r) => r.shardId))]);
      cursor = page.cursor;
    }
    expect(seen).toEqual(shardIds.map((id) => [id]));
  });

  it('reads at most maxShardsPerCall shards a call', async () => {
    const page = await new StreamTail(kinesis, { maxShardsPerCall: 3 }).read(stream, { start: { type: 'earliest' }, limit: 100 });
    expect(page.records.map((r) => r.shardId)).toEqual(shardIds.slice(0, 3));
  });

  it('answers 400 INVALID_CURSOR when Kinesis refuses a position of the cursor (a sequence number of another shard)', async () => {
    const [a, b] = shardIds;
    const cursor = encodeTailCursor(stream, { maxShard: shardNumber(shardIds.at(-1)!)!, next: shardNumber(a)!, positions: new Map([[shardNumber(a)!, { type: 'after', seq: seqs.get(b)! }]]) });
    const error = await new StreamTail(kinesis).read(stream, { start: { type: 'latest' }, cursor, limit: 10 }).then(() => null, (e: unknown) => e);
    expect(error).toMatchObject({ kind: 'invalid-input', code: 'INVALID_CURSOR' });
    expect((error as Error).message).toMatch(/^cursor: Kinesis refuses a position it holds for shardId-/);
  });

  it('tells the client Kinesis is unavailable without passing on what Kinesis said', async () => {
    const port = await freePort();
    const down = createKinesisClient({ ...testConfig().aws, endpoints: { ...testConfig().aws.endpoints, kinesis: `http://127.0.0.1:${port}` } });
    const error = await new StreamTail(down).read(stream, { start: { type: 'earliest' }, limit: 10 }).then(() => null, (e: unknown) => e);
    down.destroy();
    expect(error).toMatchObject({ kind: 'unavailable', code: 'LIVE_TAIL_UNAVAILABLE' });
    expect((error as Error).message).toBe(`reading the tail of ${stream} from Kinesis failed; try again shortly`);
    expect((error as Error).cause).toBeInstanceOf(Error);
  });
});
