import { decodeRecordData, HttpWatermarkSource } from '@flux-capacitor/consumer-sdk';
import { getStack, startKinesisFaultProxy, type KinesisFaultProxy, type ServiceProcess } from '@flux-capacitor/testing';
import {
  API_TOKEN,
  ConsistencyFixture,
  duplicateReplayedRecords,
  keyName,
  keysOffTruth,
  livePositions,
  newestLivePerKey,
  seededRandom,
  type ConsumeRun,
  type Payload,
  type Producer,
  type ReplayView,
} from '../support/consistency-fixture';

/**
 * The consumer SDK's guarantee, proven the hard way: while a compacted replay of an archive runs into the stream
 * (or into a second stream), producers keep writing live updates to random keys. A consumer that applies records
 * last-writer-wins per key through the SDK must end, once it has read past the end of the replay, with every key at
 * the value of the newest LIVE record for that key in the source's order: a replayed record never overwrites a
 * newer live one. A naive consumer (no SDK) reading the same records must end with stale keys: that is what shows
 * the replay and the live updates really overlapped, so the SDK check could have failed.
 *
 * Everything is a real process or a real emulator: the archiver archives kinesalite streams into a file archive,
 * replay coordinators are started with `startServiceProcess` (and killed with SIGKILL), consumers are `fluxcap
 * consume` processes. Keys and values come from a seeded generator; which live updates interleave with the replay
 * depends on timing, which is why the naive check is "at least one stale key" and the SDK check is "exactly".
 */

const SHARDS = 4;
/** records put but not archived before the replay starts: the plan reads them from Kinesis */
const LIVE_TAIL = 200;
/** how long consumers that read along wait without a record before they stop: longer than archiving takes */
const TAILING_IDLE_SECONDS = 10;

interface Scenario {
  seed: number;
  /** records archived (and then replayed, compacted to one per key) */
  archived: number;
  keys: number;
  /** the replay's pace, slow enough for live updates to interleave */
  recordsPerSecond: number;
  /** live updates per second while the replay runs */
  liveRate: number;
  /** replay into a second stream instead of the source */
  secondStream?: boolean;
  /** share of the coordinator's PutRecords entries answered as throttled */
  throttle?: number;
  /** SIGKILL the coordinator once this many records are put, then start another */
  killAfterPut?: number;
  /** split a source shard once this many records are put: keys move to child shards mid-replay */
  splitAfterPut?: number;
}

interface Outcome {
  replay: ReplayView;
  source: string;
  target: string;
  targetShards: number;
  truth: Map<string, Payload>;
  /** where each live value sits in the source */
  positions: Map<string, bigint>;
  sdk: ConsumeRun;
  naive: ConsumeRun;
  livePut: number;
  proxy?: KinesisFaultProxy;
  /** progress.put seen just before the kill */
  putBeforeKill?: number;
  coordinator: ServiceProcess;
}

let fx: ConsistencyFixture;
const proxies: KinesisFaultProxy[] = [];

beforeAll(async () => {
  fx = await ConsistencyFixture.create();
});

afterEach(async () => {
  await fx.stopProcesses();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

afterAll(() => fx?.close());

async function run(s: Scenario): Promise<Outcome> {
  const random = seededRandom(s.seed);
  const source = await fx.createStream(SHARDS, `cons-src-${s.seed}`);
  const targetShards = s.secondStream ? 2 : SHARDS;
  const target = s.secondStream ? await fx.createStream(targetShards, `cons-dst-${s.seed}`) : source;

  let proxy: KinesisFaultProxy | undefined;
  if (s.throttle) {
    proxy = await startKinesisFaultProxy(getStack().kinesis, { putThrottleRate: s.throttle, seed: s.seed });
    proxies.push(proxy);
  }
  // Only the coordinator talks to Kinesis through the proxy: producers and consumers are not throttled.
  const coordinatorEnv: Record<string, string> = proxy ? { AWS_ENDPOINT_URL_KINESIS: proxy.url } : {};
  let coordinator = await fx.startCoordinator(coordinatorEnv);

  const startProducer = (): Producer =>
    fx.startProducer(source, { random: seededRandom(s.seed * 7919 + 1), keys: s.keys, seed: s.seed, firstValue: 1_000_000_000, ratePerSecond: s.liveRate });
  let producer: Producer | undefined;
  let consumeNow: Promise<[ConsumeRun, ConsumeRun]> | undefined;
  if (s.secondStream) {
    // Into a second stream, whether a consumer sees a key's live update in A before or after its replayed record
    // in B depends on when it reads them, not on where they are. So the consumers tail both streams from the
    // start, as deployed consumers do, and the producer writes all along (which also keeps them from going idle).
    producer = startProducer();
    consumeNow = startConsumers([source, target], coordinator.url, TAILING_IDLE_SECONDS);
    // awaited below; this only keeps a consumer that fails early from being reported as unhandled meanwhile
    consumeNow.catch(() => undefined);
  }

  let v = 0;
  const next = (): Payload => ({ key: keyName(Math.floor(random() * s.keys)), v: v++, seed: s.seed });
  await fx.put(source, Array.from({ length: s.archived }, next));
  // The archiver drains a stream that is still written to for 30 s more (its clock-skew margin): pause the
  // producer meanwhile. The tailing consumers wait longer than the archiving takes before they call it idle.
  await producer?.pause();
  const archived = await fx.archive(source);
  producer?.resume();
  if (s.secondStream) expect(archived).toBeGreaterThanOrEqual(s.archived);
  else expect(archived).toBe(s.archived);
  await fx.put(source, Array.from({ length: LIVE_TAIL }, next));
  // Into the source itself, a key's live and replayed records sit on one shard in the order they were written:
  // consumers reading afterwards see exactly what consumers reading along would.
  producer ??= startProducer();

  const created = await fx.api<ReplayView>(coordinator, 'POST', '/v1/replays', {
    source,
    target,
    compact: true,
    pace: { mode: 'rate', recordsPerSecond: s.recordsPerSecond },
  });
  let putBeforeKill: number | undefined;
  if (s.splitAfterPut !== undefined) {
    const seen = await fx.waitForReplay(coordinator, created.id, (r) => r.progress.put >= (s.splitAfterPut as number) || r.state === 'completed');
    expect(seen.state, 'the replay ended before the split: slow its pace').toBe('running');
    await fx.split(source);
  }
  if (s.killAfterPut !== undefined) {
    const seen = await fx.waitForReplay(coordinator, created.id, (r) => r.progress.put >= (s.killAfterPut as number) || r.state === 'completed');
    expect(seen.state, 'the replay ended before the coordinator could be killed: slow its pace').toBe('running');
    coordinator.child.kill('SIGKILL');
    await new Promise((r) => coordinator.child.once('exit', r));
    putBeforeKill = seen.progress.put;
    coordinator = await fx.startCoordinator(coordinatorEnv);
  }
  const replay = await fx.waitForReplay(coordinator, created.id, (r) => r.state === 'completed');
  const livePut = await producer.stop();

  const [sdk, naive] = await (consumeNow ?? startConsumers([source, target], coordinator.url));
  const sourceRecords = await fx.readAll(source);
  const truth = newestLivePerKey(sourceRecords);
  const positions = livePositions(sourceRecords);
  // the ground truth saw every record put: the archived ones, the live tail and every live update
  expect(positions.size).toBe(s.archived + LIVE_TAIL + livePut);
  return { replay, source, target, targetShards, truth, positions, sdk, naive, livePut, proxy, putBeforeKill, coordinator };
}

function startConsumers(streams: string[], replayUrl: string, idleSeconds = 3): Promise<[ConsumeRun, ConsumeRun]> {
  const unique = [...new Set(streams)];
  const options = { replayUrl, idleSeconds };
  return Promise.all([fx.consume(unique, { ...options, naive: false, name: `sdk-${unique[0]}` }), fx.consume(unique, { ...options, naive: true, name: `naive-${unique[0]}` })]);
}

/**
 * The watermarks the coordinator serves (read with the SDK's own HTTP client, as consumers read them): one per source
 * shard, and every record the replay wrote at or before its shard's watermark.
 */
async function expectWatermarksBound(o: Outcome): Promise<void> {
  const doc = await new HttpWatermarkSource({ baseUrl: o.coordinator.url, token: API_TOKEN }).get(o.replay.id);
  expect(doc).toMatchObject({ replayId: o.replay.id, sourceStream: o.source, targetStream: o.target, state: 'completed' });
  expect(doc.watermarks).toHaveLength(SHARDS);
  expect(doc.shards.map((sh) => sh.shardId).sort()).toEqual(doc.watermarks.map((w) => w.shardId).sort());
  const mark = new Map(doc.watermarks.map((w) => [w.shardId, BigInt(w.sequenceNumber)]));
  let replayed = 0;
  for (const r of await fx.readAll(o.target)) {
    const d = decodeRecordData(r.data);
    if (d.kind !== 'replayed' || d.header.replayId !== o.replay.id) continue;
    replayed++;
    expect(BigInt(d.header.source.sequenceNumber) <= mark.get(d.header.source.shardId)!, `${d.header.source.shardId}/${d.header.source.sequenceNumber} past its watermark`).toBe(true);
  }
  expect(replayed).toBeGreaterThanOrEqual(o.replay.plan!.records);
}

/** The guarantee, and the proof that this run could have broken it. */
function expectConsistent(o: Outcome, s: Scenario): void {
  expect(o.replay.progress).toMatchObject({ failed: 0 });
  // compacted: one record per key of the archive and the live tail seen at planning
  expect(o.replay.plan?.records).toBe(o.replay.plan?.distinctKeys);
  expect(o.replay.progress.put).toBeGreaterThanOrEqual(o.replay.plan?.records ?? Infinity);
  expect(o.livePut).toBeGreaterThan(0);
  expect(o.truth.size).toBeGreaterThan(s.keys * 0.9);

  // both consumers read past the end of the replay: its start and end markers in every target shard
  expect(o.sdk.summary.reasons.marker).toBe(2 * o.targetShards);
  expect(o.naive.summary.reasons.marker).toBe(2 * o.targetShards);

  const sdkOff = keysOffTruth(o.sdk.state, o.truth);
  expect(sdkOff.slice(0, 10), `${sdkOff.length} keys off the newest value through the SDK`).toEqual([]);
  expect(o.sdk.summary.reasons.older ?? 0, 'the SDK skipped no stale replayed record').toBeGreaterThan(0);

  const naiveOff = keysOffTruth(o.naive.state, o.truth);
  expect(naiveOff.length, 'the naive consumer ended exact: the replay and the live updates did not overlap, so this run proves nothing').toBeGreaterThan(0);
  // Stale, not corrupt: every key the naive consumer has wrong holds an OLDER value of that key from the source.
  for (const [key, want] of o.truth) {
    const got = o.naive.state[key];
    if (!got || got.v === want.v) continue;
    const at = o.positions.get(`${key}/${got.v}`);
    const newest = o.positions.get(`${key}/${want.v}`);
    expect(at !== undefined && newest !== undefined && at < newest, `${key}: the naive consumer holds v=${got.v}, not an older value of the source`).toBe(true);
  }
}

describe('replay consistency: live updates racing a compacted replay', () => {
  it.each([
    { seed: 1, archived: 50_000, keys: 5_000 },
    { seed: 2, archived: 10_000, keys: 3_000 },
    { seed: 3, archived: 10_000, keys: 3_000 },
  ])('the SDK consumer ends at the newest value of every key, the naive one stale (seed $seed, $archived archived)', async ({ seed, archived, keys }) => {
    const s: Scenario = { seed, archived, keys, recordsPerSecond: 1500, liveRate: 400 };
    const o = await run(s);
    expect(o.replay.plan?.liveRecords).toBeGreaterThanOrEqual(LIVE_TAIL);
    expectConsistent(o, s);
    await expectWatermarksBound(o);
  }, 180_000);

  it('holds when 30 % of the replay\'s PutRecords entries are throttled', async () => {
    const s: Scenario = { seed: 4, archived: 10_000, keys: 3_000, recordsPerSecond: 1500, liveRate: 400, throttle: 0.3 };
    const o = await run(s);
    expect(o.proxy?.throttledEntries()).toBeGreaterThan(0);
    expectConsistent(o, s);
  }, 180_000);

  it('holds when the coordinator is killed -9 mid-replay: another resumes from the checkpoint, re-sending at most the in-flight window', async () => {
    const s: Scenario = { seed: 5, archived: 20_000, keys: 6_000, recordsPerSecond: 1500, liveRate: 400, killAfterPut: 2_500 };
    const o = await run(s);
    expectConsistent(o, s);
    const { replayed, duplicates } = duplicateReplayedRecords(await fx.readAll(o.target), o.replay.id);
    // every planned record landed; what was in flight at the kill may have landed twice, nothing more
    expect(replayed - duplicates).toBe(o.replay.plan?.records);
    const inFlightWindow = 4 * 500; // FLUX_REPLAY_MAX_IN_FLIGHT (default 4) PutRecords calls of up to 500 records
    expect(duplicates).toBeLessThanOrEqual(inFlightWindow);
    expect(duplicates, 'the resumed run re-sent everything put before the kill').toBeLessThan(o.putBeforeKill as number);
    const audit = await fx.api<{ items: { action: string }[] }>(o.coordinator, 'GET', `/v1/replays/${o.replay.id}/audit`);
    expect(audit.items.map((e) => e.action)).toContain('resumed-from-checkpoint');
  }, 180_000);

  it('holds for a replay into a second stream, the consumer reading both', async () => {
    // A slow pace keeps the replay and the live updates overlapping even on a loaded machine (the run checks they did).
    const s: Scenario = { seed: 6, archived: 10_000, keys: 3_000, recordsPerSecond: 300, liveRate: 400, secondStream: true };
    const o = await run(s);
    expect(o.target).not.toBe(o.source);
    expect(o.sdk.summary.records).toBeGreaterThan(s.archived + o.replay.progress.put);
    expectConsistent(o, s);
  }, 180_000);

  it('holds when a source shard splits mid-replay: live updates move to child shards the watermarks do not cover', async () => {
    const s: Scenario = { seed: 7, archived: 10_000, keys: 3_000, recordsPerSecond: 800, liveRate: 400, splitAfterPut: 1_000 };
    const o = await run(s);
    // keys of the split shard now have live records in a child shard, newer than anything replayed from the parent
    const records = await fx.readAll(o.source);
    const children = new Set(records.filter((r) => r.depth > 0).map((r) => r.shardId));
    expect(children.size).toBe(2);
    // keys replayed from the parent shard that also have live records in a child: for these the SDK had to order
    // versions across shards (lineage and watermarks), not by sequence number
    const liveInChild = new Set(records.filter((r) => r.depth > 0 && decodeRecordData(r.data).kind === 'live').map((r) => r.partitionKey));
    const crossShard = new Set<string>();
    for (const r of records) {
      const d = decodeRecordData(r.data);
      if (d.kind === 'replayed' && !children.has(d.header.source.shardId) && liveInChild.has(d.header.source.partitionKey)) crossShard.add(d.header.source.partitionKey);
    }
    expect(crossShard.size).toBeGreaterThan(0);
    expectConsistent(o, s);
  }, 180_000);
});
