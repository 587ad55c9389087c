import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ListShardsCommand, PutRecordCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { encodeReplayMarker, encodeReplayRecord, type ReplayRecordHeader, type ReplayWatermarks } from '@flux-capacitor/consumer-sdk';
import { aggregate } from '@flux-capacitor/kinesis';
import { createStream, testEnvironment, uniqueName } from '@flux-capacitor/testing';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const TOKEN = 'consume-e2e-token-0123456789';

/** Runs fluxcap as a real process, asynchronously: the watermark server below answers it from this process. */
function fluxcap(env: Record<string, string>, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 }, (error, stdout, stderr) =>
      done({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Live records, then what a replay of older versions writes into the same stream: start markers, enveloped records
 * whose source positions are OLDER than what the consumer has seen, end markers.
 */
async function streamWithLiveAndReplayedRecords(kinesis: KinesisClient, stream: string, replayId: string) {
  await createStream(kinesis, stream, 2);
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const put = async (key: string, data: Uint8Array, explicitHashKey?: string) => {
    const out = await kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: key, Data: data, ExplicitHashKey: explicitHashKey }));
    return { shardId: out.ShardId as string, sequenceNumber: out.SequenceNumber as string };
  };
  const json = (v: unknown) => Buffer.from(JSON.stringify(v));
  const source = (key: string, at: { shardId: string; sequenceNumber: string }, arrivalTime = new Date().toISOString()): ReplayRecordHeader['source'] => ({
    stream,
    shardId: at.shardId,
    sequenceNumber: at.sequenceNumber,
    subSequenceNumber: 0,
    partitionKey: key,
    arrivalTime,
  });

  // Live.
  const a1 = await put('A', json({ v: 1 }));
  await put('A', json({ v: 2 }));
  const b1 = await put('B', json({ v: 'b1' }));
  await put('B', new Uint8Array(0)); // a tombstone: B is deleted
  await put('C', Buffer.from([0xff, 0x00, 0x01]));
  const x = await put('X', json({ v: 'x-live' }));
  await put('agg', aggregate([
    { partitionKey: 'F', data: json({ v: 'f' }) },
    { partitionKey: 'G', data: json({ v: 'g' }) },
  ]));

  // The replay.
  const marker = (m: 'start' | 'end', shardId: string) =>
    encodeReplayMarker({ replayId, marker: m, sourceStream: stream, targetShardId: shardId, at: new Date().toISOString() });
  for (const s of shards) await put('marker', marker('start', s.ShardId as string), s.HashKeyRange?.StartingHashKey);
  const replayed = (key: string, data: Uint8Array, src: ReplayRecordHeader['source']) => put(key, encodeReplayRecord({ replayId, op: 'upsert', source: src, annotations: {} }, data));
  await replayed('A', json({ v: 1 }), source('A', a1));
  await replayed('B', json({ v: 'b1' }), source('B', b1));
  await replayed('D', json({ v: 'd' }), source('D', { shardId: b1.shardId, sequenceNumber: '1' }));
  // X's archived version comes from the other shard and claims a later arrival time: only the watermarks show
  // that the live X (on a shard this replay does not cover) is newer.
  const otherShard = shards.map((s) => s.ShardId as string).find((id) => id !== x.shardId) as string;
  const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
  await replayed('X', json({ v: 'x-replayed' }), source('X', { shardId: otherShard, sequenceNumber: '1' }, tomorrow));
  for (const s of shards) await put('marker', marker('end', s.ShardId as string), s.HashKeyRange?.StartingHashKey);

  const watermarks: ReplayWatermarks = {
    replayId,
    sourceStream: stream,
    targetStream: stream,
    state: 'completed',
    watermarks: [{ shardId: otherShard, sequenceNumber: '1' }],
    shards: shards.map((s) => ({ shardId: s.ShardId as string, parentShardId: s.ParentShardId ?? null, adjacentParentShardId: s.AdjacentParentShardId ?? null })),
  };
  return watermarks;
}

describe('fluxcap consume', () => {
  let server: Server;
  let replayUrl: string;
  const served = new Map<string, ReplayWatermarks>();
  const asked: string[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-cli-consume-'));
    // Stands in for the replay coordinator's GET /v1/replays/:id/watermarks (same documented shape).
    server = createServer((req, res) => {
      const id = /^\/v1\/replays\/([^/]+)\/watermarks$/.exec(req.url ?? '')?.[1];
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return void res.writeHead(401).end();
      const doc = id ? served.get(decodeURIComponent(id)) : undefined;
      if (!doc) return void res.writeHead(404).end();
      asked.push(doc.replayId);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    replayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the newest value per key through a replay of older versions, where a naive consumer ends stale', async () => {
    const env = testEnvironment({ FLUX_API_TOKEN: TOKEN, FLUX_REPLAY_URL: '' });
    const kinesis = createKinesisClient(loadConfig(env).aws);
    const stream = uniqueName('consume');
    const replayId = randomUUID();
    try {
      served.set(replayId, await streamWithLiveAndReplayedRecords(kinesis, stream, replayId));
    } finally {
      kinesis.destroy();
    }
    const sdkOut = join(dir, 'sdk.json');
    const naiveOut = join(dir, 'naive.json');
    const noWatermarksOut = join(dir, 'no-watermarks.json');
    const args = (out: string) => ['consume', '--stream', stream, '--out', out, '--until-idle', '1', '--json'];
    const [sdk, naive, noWatermarks] = await Promise.all([
      fluxcap({ ...env, FLUX_REPLAY_URL: replayUrl }, args(sdkOut)),
      fluxcap(env, [...args(naiveOut), '--naive']),
      fluxcap(env, args(noWatermarksOut)),
    ]);
    for (const run of [sdk, naive, noWatermarks]) expect(run.stderr).toBe('');
    expect([sdk.status, naive.status, noWatermarks.status]).toEqual([0, 0, 0]);

    const common = { C: '/wAB', D: { v: 'd' }, F: { v: 'f' }, G: { v: 'g' } };
    expect(JSON.parse(readFileSync(sdkOut, 'utf8'))).toEqual({ A: { v: 2 }, X: { v: 'x-live' }, ...common });
    expect(Object.keys(JSON.parse(readFileSync(sdkOut, 'utf8')))).toEqual(['A', 'C', 'D', 'F', 'G', 'X']);
    expect(JSON.parse(sdk.stdout)).toEqual({
      mode: 'sdk',
      streams: [stream],
      shards: 2,
      records: 16,
      applied: 9,
      skipped: 7,
      reasons: { new: 7, newer: 2, older: 3, marker: 4 },
      keys: 6,
      out: sdkOut,
    });
    expect(asked).toContain(replayId);

    // Without the SDK the replay wins every key it touches: stale A, resurrected B, the archived X.
    expect(JSON.parse(readFileSync(naiveOut, 'utf8'))).toEqual({ A: { v: 1 }, B: { v: 'b1' }, X: { v: 'x-replayed' }, ...common });
    expect(JSON.parse(naive.stdout)).toMatchObject({ mode: 'naive', records: 16, applied: 12, reasons: { naive: 12, marker: 4 } });

    // Without watermarks, X across shards can only be ordered by arrival time, which is wrong here.
    expect(JSON.parse(readFileSync(noWatermarksOut, 'utf8'))).toEqual({ A: { v: 2 }, X: { v: 'x-replayed' }, ...common });
  });

  it('exits non-zero with one line naming a missing stream', async () => {
    const run = await fluxcap(testEnvironment(), ['consume', '--stream', 'missing-stream-c', '--out', join(dir, 'x.json'), '--until-idle', '1']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n').pop()).toMatch(/fluxcap: .*"missing-stream-c" does not exist/);
  });
});
