import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStreamCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { listShards } from '@flux-capacitor/kinesis';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createStream, createTestDatabase, putInOrder, testEnvironment, uniqueName, waitUntilActive, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TailModule } from '../../src/tail/tail.module';

const ALL = 'tail-all-streams-token-0123456789';
const LIMITED = 'tail-limited-token-0123456789';

interface TailRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  data: string;
  payload: unknown;
}
interface TailBody {
  stream: string;
  records: TailRecord[];
  cursor: string;
}

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
const orders = uniqueName('tail-orders');
const resharded = uniqueName('tail-reshard');
const other = uniqueName('tail-other');

const tail = async (stream: string, query: Record<string, string> = {}, token = ALL) => {
  const res = await fetch(`${base}/v1/streams/${stream}/tail?${new URLSearchParams(query)}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as TailBody & { code?: string; detail?: string; details?: unknown } };
};

/** Follows the tail from `cursor` until a call answers nothing new; every record, in the order returned. */
async function drain(stream: string, cursor: string, limit = 1000): Promise<{ records: TailRecord[]; cursor: string }> {
  const records: TailRecord[] = [];
  for (;;) {
    const res = await tail(stream, { cursor, limit: String(limit) });
    expect(res.status).toBe(200);
    cursor = res.body.cursor;
    if (res.body.records.length === 0) return { records, cursor };
    records.push(...res.body.records);
  }
}

const ids = (records: TailRecord[]) => records.map((r) => (r.payload as { id: number }).id).sort((a, b) => a - b);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const put = (stream: string, from: number, to: number) => putInOrder(kinesis, stream, range(from, to).map((id) => ({ key: `key-${id}`, data: JSON.stringify({ id }) })));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-gw-tail-'));
  db = await createTestDatabase();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL}:query,${LIMITED}:query@${other}`,
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  await Promise.all([createStream(kinesis, orders, 2), createStream(kinesis, resharded, 1), createStream(kinesis, other, 1)]);
  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), TailModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  for (const stream of [orders, resharded, other]) await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('GET /v1/streams/:stream/tail', () => {
  it('from latest: nothing at first, then exactly what arrived since, across shards, oldest first within a shard', async () => {
    await put(orders, 0, 5); // before the tail starts: never returned
    const first = await tail(orders);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ stream: orders, records: [] });

    await put(orders, 100, 140);
    const { records, cursor } = await drain(orders, first.body.cursor);
    expect(ids(records)).toEqual(range(100, 140));
    expect(new Set(records.map((r) => r.shardId)).size).toBe(2);
    for (const shard of new Set(records.map((r) => r.shardId))) {
      const seqs = records.filter((r) => r.shardId === shard).map((r) => BigInt(r.sequenceNumber));
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    }
    const r = records[0];
    expect(r.sequenceNumber).toMatch(/^\d{20,}$/);
    expect(JSON.parse(Buffer.from(r.data, 'base64').toString('utf8'))).toEqual(r.payload);
    expect(r.partitionKey).toBe(`key-${(r.payload as { id: number }).id}`);
    expect(Date.parse(r.arrivalTime)).toBeGreaterThan(0);

    // Nothing new: an empty page, and the cursor still follows.
    expect((await tail(orders, { cursor })).body.records).toEqual([]);
    await putInOrder(kinesis, orders, [{ key: 'bin', data: Buffer.from([0xff, 0x00, 0xfe]) }]);
    const after = await drain(orders, cursor);
    expect(after.records.map((x) => [x.partitionKey, x.data, x.payload])).toEqual([['bin', Buffer.from([0xff, 0x00, 0xfe]).toString('base64'), null]]);
  });

  it('from earliest, in pages of `limit`: every retained record once', async () => {
    const first = await tail(orders, { from: 'earliest', limit: '7' });
    expect(first.body.records).toHaveLength(7);
    const rest = await drain(orders, first.body.cursor, 7);
    const all = [...first.body.records, ...rest.records].filter((x) => x.payload !== null);
    expect(ids(all)).toEqual([...range(0, 5), ...range(100, 140)]);
  });

  it('from a date-time: the records that arrived at or after it', async () => {
    const future = await tail(orders, { from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.status).toBe(200);
    expect(future.body.records).toEqual([]);
    const past = await tail(orders, { from: '2020-01-01T00:00:00Z', limit: '1000' });
    expect(past.body.records.length).toBeGreaterThanOrEqual(46);
  });

  it('keeps following across a reshard: records in the child shards arrive through the same cursor', async () => {
    const start = await tail(resharded);
    await put(resharded, 0, 10);
    const before = await drain(resharded, start.body.cursor);
    expect(ids(before.records)).toEqual(range(0, 10));

    const [parent] = await listShards(kinesis, resharded);
    const parentId = String(parent.ShardId);
    const startKey = BigInt(parent.HashKeyRange?.StartingHashKey ?? 0);
    const endKey = BigInt(parent.HashKeyRange?.EndingHashKey ?? 0);
    await kinesis.send(new SplitShardCommand({ StreamName: resharded, ShardToSplit: parentId, NewStartingHashKey: ((startKey + endKey) / 2n).toString() }));
    await waitUntilActive(kinesis, resharded);
    await put(resharded, 10, 30);

    const after = await drain(resharded, before.cursor);
    expect(ids(after.records)).toEqual(range(10, 30));
    expect(new Set(after.records.map((r) => r.shardId)).has(parentId)).toBe(false);
    expect(new Set(after.records.map((r) => r.shardId)).size).toBe(2);
  });

  it('answers 403 to a token limited to another stream, 404 for a stream Kinesis lacks', async () => {
    const forbidden = await tail(orders, {}, LIMITED);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: orders } });
    expect((await tail(other, {}, LIMITED)).status).toBe(200);
    const missing = await tail('no-such-stream-tail');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('STREAM_NOT_FOUND');
  });

  it.each([
    [{ limit: '0' }, /^limit: /],
    [{ limit: '1001' }, /^limit: /],
    [{ limit: 'ten' }, /^limit: /],
    [{ from: 'yesterday' }, /^from: must be latest, earliest or an ISO-8601 date-time/],
    [{ cursor: 'not-a-cursor' }, /^cursor: must be the cursor of a previous tail answer/],
    [{ cursor: Buffer.from(JSON.stringify({ v: 1, s: { 'shardId-000000000000': { a: 'DROP' } }, o: 0 })).toString('base64url') }, /^cursor: /],
  ])('refuses %o with 400 and the reason', async (query, detail) => {
    const res = await tail(orders, query);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(detail);
  });
});
