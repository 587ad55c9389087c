import { decodeRecordData, type ReplayMarkerHeader, type ReplayRecordHeader } from '@flux-capacitor/consumer-sdk';
import { replayMetrics, type ReplayService, type ReplayView } from '@flux-capacitor/replay';
import { FluxError } from '@flux-capacitor/contracts';
import { ReplayFixture } from '../support/replay-fixture';

interface Order {
  key: string;
  v: number;
  region: 'eu' | 'us';
}

const KEYS = 30;
let fx: ReplayFixture;
let service: ReplayService;
let source: string;
/** what was put into the source, in order, with the record's data ('' for a delete) */
const produced: { key: string; data: string }[] = [];

function order(i: number): { key: string; data: string } {
  const key = `k${i % KEYS}`;
  return { key, data: JSON.stringify({ key, v: i, region: i % 3 === 0 ? 'eu' : 'us' } satisfies Order) };
}

/** The records of a replay as they landed in a stream, unwrapped. */
async function landed(stream: string) {
  const records = [];
  const markers: ReplayMarkerHeader[] = [];
  for (const r of await fx.readAll(stream)) {
    const d = decodeRecordData(r.data);
    if (d.kind === 'marker') markers.push(d.header);
    else if (d.kind === 'replayed') records.push({ ...r, header: d.header as ReplayRecordHeader, body: Buffer.from(d.data).toString() });
    else records.push({ ...r, header: undefined, body: Buffer.from(d.data).toString() });
  }
  return { records, markers };
}

async function run(body: Record<string, unknown>): Promise<ReplayView> {
  const created = await service.create(body, 'token:test');
  return fx.waitFor(service, created.id);
}

beforeAll(async () => {
  fx = await ReplayFixture.create();
  ({ service } = fx.replayService());
  source = await fx.createStream(2);
  for (let i = 0; i < 300; i++) produced.push(order(i));
  // three keys end deleted (empty data: the default tombstone rule)
  for (const key of ['k1', 'k2', 'k3']) produced.push({ key, data: '' });
  await fx.put(source, produced);
  expect(await fx.archive(source)).toBe(produced.length);
  // and more that stays live (not archived)
  const live = Array.from({ length: 60 }, (_, j) => order(300 + j));
  produced.push(...live);
  await fx.put(source, live);
  fx.replayService().worker.start();
});

afterAll(() => fx?.close());

/** The newest record per key, in produce order. */
function latestPerKey(): Map<string, { data: string; index: number }> {
  const latest = new Map<string, { data: string; index: number }>();
  produced.forEach((r, index) => latest.set(r.key, { data: r.data, index }));
  return latest;
}

describe('replay', () => {
  it('replays a compacted, filtered, annotated selection of archived and live records, with envelopes and markers', async () => {
    const target = await fx.createStream(3);
    const view = await run({ source, target, where: "(payload->>'region') = 'eu'", compact: true, annotations: { forceOverwrite: 'true' } });
    expect(view.state).toBe('completed');

    const expected = [...latestPerKey()].filter(([, r]) => r.data === '' || (JSON.parse(r.data) as Order).region === 'eu');
    const { records, markers } = await landed(target);
    expect(records.map((r) => r.header?.source.partitionKey).sort()).toEqual(expected.map(([k]) => k).sort());
    for (const r of records) {
      const want = latestPerKey().get(r.partitionKey)!;
      expect(r.body).toBe(want.data);
      expect(r.header?.op).toBe(want.data === '' ? 'delete' : 'upsert');
      expect(r.header?.annotations).toEqual({ forceOverwrite: 'true' });
      expect(r.header?.replayId).toBe(view.id);
      expect(r.header?.source.stream).toBe(source);
    }
    // a start and an end marker in each of the three target shards
    expect(markers.filter((m) => m.marker === 'start').map((m) => m.targetShardId).sort()).toHaveLength(3);
    expect(markers.filter((m) => m.marker === 'end')).toHaveLength(3);
    expect(view.progress).toMatchObject({ selected: expected.length, put: expected.length, failed: 0 });
    expect(view.plan?.liveRecords).toBe(60);
    expect(Object.keys(view.plan?.watermarks ?? {})).toHaveLength(2);
  });

  it('plans a dry run with counts, keys, per-shard histogram and sample, and writes nothing', async () => {
    const target = await fx.createStream(1);
    const view = await run({ source, target, compact: { key: "payload->>'key'", deletes: 'drop' }, dryRun: true });
    expect(view.state).toBe('planned');
    const live = [...latestPerKey()].filter(([, r]) => r.data !== '');
    expect(view.plan).toMatchObject({ records: live.length, distinctKeys: live.length, deletes: 0 });
    expect(Object.values(view.plan!.perShard).reduce((a, b) => a + b, 0)).toBe(live.length);
    expect(view.plan!.sample.length).toBeGreaterThan(0);
    expect(view.plan!.estimatedSeconds).toBeGreaterThanOrEqual(0);
    expect(await fx.readAll(target)).toHaveLength(0);
  });

  it('replays every record of a bounded range in per-key order; raw writes the original bytes alone', async () => {
    const target = await fx.createStream(2);
    const all = await fx.readAll(source);
    const firstSeq = Object.fromEntries([...new Set(all.map((r) => r.shardId))].map((s) => [s, all.find((r) => r.shardId === s)!.sequenceNumber]));
    const counter = async (c: typeof replayMetrics.recordsPut | typeof replayMetrics.finished) => (await c.get()).values.find((v) => v.labels.state === undefined || v.labels.state === 'completed')?.value ?? 0;
    const before = { put: await counter(replayMetrics.recordsPut), completed: await counter(replayMetrics.finished) };
    const view = await run({ source, target, format: 'raw', fromSequence: firstSeq });
    expect(view.state).toBe('completed');
    // /metrics: the records put and one more completed replay
    expect(await counter(replayMetrics.recordsPut)).toBe(before.put + produced.length);
    expect(await counter(replayMetrics.finished)).toBe(before.completed + 1);
    const { records, markers } = await landed(target);
    expect(markers).toHaveLength(0);
    expect(records).toHaveLength(produced.length);
    const perKey = (rs: { key?: string; partitionKey?: string; data?: unknown; body?: string }[]) => {
      const m = new Map<string, string[]>();
      for (const r of rs) {
        const k = (r.partitionKey ?? r.key)!;
        m.set(k, [...(m.get(k) ?? []), r.body ?? String(r.data)]);
      }
      return m;
    };
    expect(perKey(records)).toEqual(perKey(produced));
  });

  it('keeps its own key and tombstone when records carry top-level __key and __tomb, typed as field columns', async () => {
    const stream = await fx.createStream(1);
    // The catalog chooses __key, __tomb and id as field columns, so the archived objects hold them and the stream
    // table shows them by name.
    const now = new Date().toISOString();
    const field = (path: string, type: string) => ({ path, types: [type], nullable: false, firstSeen: now, lastSeen: now });
    await fx.ds.query(`INSERT INTO catalog_stream (name, format) VALUES ($1, 'json') ON CONFLICT DO NOTHING`, [stream]);
    await fx.ds.query(
      `INSERT INTO catalog_schema_version (stream, version, format, fields, fingerprint, first_seen, last_seen) VALUES ($1, 1, 'json', $2, 'fp-shadow', now(), now())`,
      [stream, JSON.stringify([field('__key', 'string'), field('__tomb', 'boolean'), field('id', 'string')])],
    );
    const records = Array.from({ length: 12 }, (_, i) => ({ key: `p${i}`, data: JSON.stringify({ __key: 'same', __tomb: true, id: `id${i % 4}` }) }));
    await fx.put(stream, records);
    expect(await fx.archive(stream)).toBe(records.length);
    const target = await fx.createStream(1);
    const created = await service.create({ source: stream, target, compact: { key: "payload->>'id'" }, dryRun: true }, 'token:test');
    const view = await fx.waitFor(service, created.id);
    expect(view.state).toBe('planned');
    // four ids, none deleted (the default tombstone is empty data, not the record's __tomb)
    expect(view.plan).toMatchObject({ records: 4, distinctKeys: 4, deletes: 0 });
  });

  it('evaluates the filter on the records compaction keeps only', async () => {
    const stream = await fx.createStream(1);
    // k's older record would fail the cast; compaction replaces it, so the filter never sees it
    await fx.put(stream, [
      { key: 'k', data: JSON.stringify({ n: 'x' }) },
      { key: 'k', data: JSON.stringify({ n: '1' }) },
      { key: 'j', data: JSON.stringify({ n: '0' }) },
    ]);
    expect(await fx.archive(stream)).toBe(3);
    const target = await fx.createStream(1);
    const created = await service.create({ source: stream, target, where: "CAST(payload->>'n' AS INT) > 0", compact: true, dryRun: true }, 'token:test');
    const view = await fx.waitFor(service, created.id);
    expect(view.error).toBeNull();
    expect(view.state).toBe('planned');
    expect(view.plan).toMatchObject({ records: 1, distinctKeys: 1 });
    expect(view.plan?.sample.map((r) => r.key)).toEqual(['k']);
  });

  it('filters on a typed field column with compaction, on the records compaction keeps only', async () => {
    const stream = await fx.createStream(1);
    const now = new Date().toISOString();
    await fx.ds.query(`INSERT INTO catalog_stream (name, format) VALUES ($1, 'json') ON CONFLICT DO NOTHING`, [stream]);
    await fx.ds.query(
      `INSERT INTO catalog_schema_version (stream, version, format, fields, fingerprint, first_seen, last_seen) VALUES ($1, 1, 'json', $2, 'fp-typed-where', now(), now())`,
      [stream, JSON.stringify([{ path: 'n', types: ['integer'], nullable: false, firstSeen: now, lastSeen: now }])],
    );
    // k's latest record passes, j's latest does not (its older one would); "payload.n" is the typed (BIGINT) column
    await fx.put(stream, [
      { key: 'k', data: JSON.stringify({ n: 1 }) },
      { key: 'k', data: JSON.stringify({ n: 7 }) },
      { key: 'j', data: JSON.stringify({ n: 9 }) },
      { key: 'j', data: JSON.stringify({ n: 2 }) },
    ]);
    expect(await fx.archive(stream)).toBe(4);
    const target = await fx.createStream(1);
    // names in string literals and comments are no column references (a quote inside a literal included)
    const filters = ['"payload.n" > 5', `payload->>'n' <> '"payload.zz"' /* "payload.x" */ AND "payload.n" > 5 AND "payload.n" > 0`, `coalesce(payload->>'q', '12"') = '12"' AND "payload.n" > 5`];
    for (const where of filters) {
      for (const compact of [true, false] as const) {
        const created = await service.create({ source: stream, target, where, compact, dryRun: true }, 'token:test');
        const view = await fx.waitFor(service, created.id);
        expect(view.error, where).toBeNull();
        expect(view.state).toBe('planned');
        // compacted: k's latest (7) only; not compacted: both records above 5
        expect(view.plan?.sample.map((r) => r.payload)).toEqual(compact ? [{ n: 7 }] : [{ n: 7 }, { n: 9 }]);
      }
    }
  });

  it('refuses invalid specs with the reason, before anything is written', async () => {
    const target = await fx.createStream(1);
    const before = (await service.list(200)).items.length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ source: 'no-such-stream-at-all', target }, /neither archived nor in Kinesis/],
      [{ source, target: 'no-such-target-stream' }, /does not exist/],
      [{ source, target, where: "payload->>'region' = " }, /Parser Error|syntax/i],
      [{ source, target, where: "data IN (SELECT content FROM read_blob('/etc/passwd'))" }, /table functions|not allowed/],
      [{ source, target, where: 'true) UNION ALL (SELECT * FROM other' }, /changes the statement|other table/],
      [{ source, target, where: 'no_such_column = 1' }, /no_such_column/],
      [{ source, target, from: '2026-11-30T12:00:00Z', until: '2026-11-30T11:00:00Z' }, /before from/],
      [{ source, target, format: 'raw', annotations: { forceOverwrite: 'true' } }, /annotations/],
      [{ source, target, pace: { mode: 'rate' } }, /recordsPerSecond/],
      [{ source, target, extra: 1 }, /extra|Unrecognized/i],
    ];
    for (const [body, reason] of cases) {
      const err = await service.create(body, 'token:test').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(body)).toBeInstanceOf(FluxError);
      expect((err as FluxError).kind, JSON.stringify(body)).toBe('invalid-input');
      expect((err as FluxError).message, JSON.stringify(body)).toMatch(reason);
    }
    expect((await service.list(200)).items.length).toBe(before);
  });

  it('pauses, resumes from the checkpoint and cancels; the audit trail records each step', async () => {
    const target = await fx.createStream(1);
    const created = await service.create({ source, target, pace: { mode: 'rate', recordsPerSecond: 40 } }, 'token:alice');
    await fx.waitFor(service, created.id, ['running']);
    await vi.waitFor(async () => expect((await service.get(created.id)).progress.put).toBeGreaterThan(0), { timeout: 30_000, interval: 100 });
    const paused = await service.request(created.id, 'pause', 'token:alice');
    expect(paused.state).toBe('paused');
    // The runner sees the pause at its next progress save, halts and hands the lease back: from then on nothing moves.
    await vi.waitFor(
      async () => expect((await fx.ds.query<{ lease_owner: string | null }[]>(`SELECT lease_owner FROM replay WHERE id = $1`, [created.id]))[0].lease_owner).toBeNull(),
      { timeout: 30_000, interval: 100 },
    );
    const stopped = await service.get(created.id);
    // Deliberately lets time pass: a paused replay must not put anything more, and only time can show that.
    await new Promise((r) => setTimeout(r, 1500));
    expect((await service.get(created.id)).progress.put).toBe(stopped.progress.put);
    expect(stopped.progress.put).toBeLessThan(produced.length);
    await expect(service.request(created.id, 'pause', 'token:alice')).rejects.toMatchObject({ kind: 'conflict' });

    await service.request(created.id, 'resume', 'token:bob');
    await fx.waitFor(service, created.id, ['running']);
    await vi.waitFor(async () => expect((await service.get(created.id)).progress.put).toBeGreaterThan(stopped.progress.put), { timeout: 30_000, interval: 100 });
    const cancelled = await service.request(created.id, 'cancel', 'token:bob');
    expect(cancelled.state).toBe('cancelled');
    const audit = (await service.audit(created.id)).items.map((e) => `${e.action}:${e.actor}`);
    expect(audit).toEqual(expect.arrayContaining(['created:token:alice', 'paused:token:alice', 'resumed:token:bob', 'cancelled:token:bob']));
    expect(audit.find((a) => a.startsWith('planned:'))).toBeDefined();
    // The resumed run went on from the checkpoint: at most the records in flight at the pause (their acknowledgements
    // were dropped with the writer) landed twice, at 40 records/s at most a second's worth, never the whole first run.
    // Deliberately lets time pass, so that a put still in flight at the cancel has landed: the bound below only gets
    // harder to meet with every record that lands.
    await new Promise((r) => setTimeout(r, 1500));
    const { records } = await landed(target);
    const positions = records.map((r) => `${r.header!.source.shardId}/${r.header!.source.sequenceNumber}`);
    const duplicates = positions.length - new Set(positions).size;
    expect(duplicates).toBeLessThanOrEqual(40);
    expect(duplicates).toBeLessThan(stopped.progress.put);
  });

  it('keeps the original spacing of records at pace original, sped up by the factor', async () => {
    const spaced = await fx.createStream(1);
    for (let i = 0; i < 8; i++) {
      await fx.put(spaced, [{ key: `p${i}`, data: JSON.stringify({ i }) }]);
      await new Promise((r) => setTimeout(r, 250)); // spaces the arrival times the replay must reproduce
    }
    await fx.archive(spaced);
    const target = await fx.createStream(1);
    const slow = await run({ source: spaced, target, pace: { mode: 'original', factor: 1 } });
    const fast = await run({ source: spaced, target, pace: { mode: 'original', factor: 1000 } });
    const span = Date.parse(slow.plan!.lastArrivalTime!) - Date.parse(slow.plan!.firstArrivalTime!);
    expect(span).toBeGreaterThanOrEqual(1500);
    // a lower bound the pacing guarantees: at factor 1 the records cannot go out faster than they first arrived
    expect(Date.parse(slow.finishedAt!) - Date.parse(slow.startedAt!)).toBeGreaterThanOrEqual(span * 0.9);
    expect(slow.plan!.estimatedSeconds).toBe(Math.ceil(span / 1000));
    expect(fast.progress.put).toBe(8);
  });
});
