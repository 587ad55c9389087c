import type { ConsumedRecord } from './consumed-record';
import { encodeReplayMarker, encodeReplayRecord, EnvelopeError } from './envelope';
import { ReplayAwareConsumer, type Decision } from './replay-aware-consumer';
import { MemoryVersionStore } from './version-store';
import { StaticWatermarkSource, type ReplayWatermarks } from './watermarks';

const S0 = 'shardId-000000000000';
const S1 = 'shardId-000000000001';
const REPLAY = '11111111-2222-3333-4444-555555555555';

const live = (seq: string, key: string, data: string | Uint8Array, shardId = S0, arrivalTime = 1000): ConsumedRecord => ({
  stream: 'orders',
  shardId,
  sequenceNumber: seq,
  partitionKey: key,
  arrivalTime,
  data: typeof data === 'string' ? Buffer.from(data) : data,
});

/** A replayed record of source position (shardId, seq), read from the target at `readSeq`. */
const replayed = (
  seq: string,
  key: string,
  data: string,
  opts: { shardId?: string; op?: 'upsert' | 'delete'; annotations?: Record<string, string>; arrival?: string; readSeq?: string } = {},
): ConsumedRecord => ({
  stream: 'orders',
  shardId: S0,
  sequenceNumber: opts.readSeq ?? '9000',
  partitionKey: key,
  arrivalTime: 9_000_000,
  data: encodeReplayRecord(
    {
      replayId: REPLAY,
      op: opts.op ?? 'upsert',
      source: { stream: 'orders', shardId: opts.shardId ?? S0, sequenceNumber: seq, subSequenceNumber: 0, partitionKey: key, arrivalTime: opts.arrival ?? '1970-01-01T00:00:01.000Z' },
      annotations: opts.annotations ?? {},
    },
    Buffer.from(data),
  ),
});

async function run(consumer: ReplayAwareConsumer, records: ConsumedRecord[]) {
  const state = new Map<string, string>();
  const decisions: Decision[] = [];
  for (const r of records) {
    decisions.push(
      await consumer.process(r, (d) => {
        if (d.op === 'delete') state.delete(d.key);
        else state.set(d.key, Buffer.from(d.data).toString());
      }),
    );
  }
  return { state, decisions: decisions.map((d) => `${d.action}:${d.reason}`) };
}

describe('ReplayAwareConsumer decisions', () => {
  it('applies new and newer records and skips a replayed record older than the live one applied', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const { state, decisions } = await run(consumer, [live('100', 'a', 'v1'), live('200', 'a', 'v2'), replayed('100', 'a', 'v1')]);
    expect(decisions).toEqual(['apply:new', 'apply:newer', 'skip:older']);
    expect(state.get('a')).toBe('v2');
  });

  it('applies a replayed record newer than what the consumer has, unwrapping the original bytes', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const { state, decisions } = await run(consumer, [live('100', 'a', 'v1'), replayed('200', 'a', 'v2')]);
    expect(decisions).toEqual(['apply:new', 'apply:newer']);
    expect(state.get('a')).toBe('v2');
  });

  it('skips a replayed duplicate unless it is annotated forceOverwrite=true', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const { state, decisions } = await run(consumer, [
      live('100', 'a', 'v1'),
      replayed('100', 'a', 'v1'),
      replayed('100', 'a', 'v1-fixed', { annotations: { forceOverwrite: 'true' } }),
    ]);
    expect(decisions).toEqual(['apply:new', 'skip:duplicate', 'apply:forced']);
    expect(state.get('a')).toBe('v1-fixed');
  });

  it('never forces a replayed record over a newer one', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const { decisions } = await run(consumer, [live('200', 'a', 'v2'), replayed('100', 'a', 'v1', { annotations: { forceOverwrite: 'true' } })]);
    expect(decisions).toEqual(['apply:new', 'skip:older']);
  });

  it('skips a live record seen twice as a duplicate', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    expect((await run(consumer, [live('100', 'a', 'v1'), live('100', 'a', 'v1')])).decisions).toEqual(['apply:new', 'skip:duplicate']);
  });

  it('skips markers', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const marker = live('50', 'm', encodeReplayMarker({ replayId: REPLAY, marker: 'start', sourceStream: 'orders', targetShardId: S0, at: '2026-01-01T00:00:00.000Z' }));
    const d = await consumer.decide(marker);
    expect(d).toMatchObject({ action: 'skip', reason: 'marker', origin: 'marker', replayId: REPLAY });
  });

  it('treats empty live data as a delete and keeps the deleted version so an older replayed upsert cannot resurrect the key', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const { state, decisions } = await run(consumer, [live('100', 'a', 'v1'), live('200', 'a', ''), replayed('100', 'a', 'v1')]);
    expect(decisions).toEqual(['apply:new', 'apply:newer', 'skip:older']);
    expect(state.has('a')).toBe(false);
  });

  it("lets the consumer decide what a live delete is, and takes a replayed record's op from its envelope", async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore(), isDelete: (r) => Buffer.from(r.data).toString() === 'DELETED' });
    const first = await consumer.decide(live('100', 'a', 'DELETED'));
    expect(first.op).toBe('delete');
    expect((await consumer.decide(live('100', 'a', ''))).op).toBe('upsert');
    expect((await consumer.decide(replayed('100', 'a', '', { op: 'delete' }))).op).toBe('delete');
  });

  it('versions a replayed record by its original partition key and source position', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const r = replayed('123', 'orig-key', 'x', { shardId: S1 });
    const d = await consumer.decide({ ...r, partitionKey: 'rewritten-by-target' });
    expect(d).toMatchObject({ key: 'orig-key', origin: 'replay', replayId: REPLAY, version: { shardId: S1, sequenceNumber: '123', arrivalTime: 1000 } });
  });

  it('uses a custom key and skips records it finds no key in', async () => {
    const key = (r: { data: Uint8Array }) => {
      try {
        return (JSON.parse(Buffer.from(r.data).toString()) as { id?: string }).id;
      } catch {
        return undefined;
      }
    };
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore(), key });
    const { state, decisions } = await run(consumer, [live('1', 'p', '{"id":"x","v":1}'), live('2', 'q', '{"id":"x","v":2}'), live('3', 'p', 'not json')]);
    expect(decisions).toEqual(['apply:new', 'apply:newer', 'skip:no-key']);
    expect(state.get('x')).toBe('{"id":"x","v":2}');
  });

  it('uses the watermarks to keep a live record on another shard that is past the watermark', async () => {
    const doc: ReplayWatermarks = {
      replayId: REPLAY,
      sourceStream: 'orders',
      targetStream: 'orders',
      state: 'running',
      watermarks: [
        { shardId: S0, sequenceNumber: '500' },
        { shardId: S1, sequenceNumber: '600' },
      ],
      shards: [],
    };
    // The live record arrived earlier than the replayed record's source, but lies past the watermark of its shard.
    const withWatermarks = new ReplayAwareConsumer({ store: new MemoryVersionStore(), watermarks: new StaticWatermarkSource([doc]) });
    const a = await run(withWatermarks, [live('601', 'a', 'live', S1, 500), replayed('400', 'a', 'old', { arrival: '1970-01-01T00:00:02.000Z' })]);
    expect(a.decisions).toEqual(['apply:new', 'skip:older']);
    expect(a.state.get('a')).toBe('live');
    // Without watermarks only arrival time is left, and it is wrong here: the reason watermarks exist.
    const without = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const b = await run(without, [live('601', 'a', 'live', S1, 500), replayed('400', 'a', 'old', { arrival: '1970-01-01T00:00:02.000Z' })]);
    expect(b.decisions).toEqual(['apply:new', 'apply:newer']);
  });

  it('does not record a version before the consumer applied the record', async () => {
    const store = new MemoryVersionStore();
    const consumer = new ReplayAwareConsumer({ store });
    await expect(consumer.process(live('100', 'a', 'v1'), () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(await store.size()).toBe(0);
    expect((await consumer.decide(live('100', 'a', 'v1'))).reason).toBe('new');
  });

  it('handles two records of one key arriving at once one after the other', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const applied: string[] = [];
    const slowApply = async (d: Decision) => {
      await new Promise((r) => setImmediate(r));
      applied.push(Buffer.from(d.data).toString());
    };
    const results = await Promise.all([consumer.process(live('200', 'a', 'v2'), slowApply), consumer.process(live('200', 'a', 'v2'), slowApply)]);
    expect(results.map((d) => d.reason)).toEqual(['new', 'duplicate']);
    expect(applied).toEqual(['v2']);
  });

  it('throws EnvelopeError for a corrupt envelope rather than applying it as live data', async () => {
    const consumer = new ReplayAwareConsumer({ store: new MemoryVersionStore() });
    const bad = replayed('1', 'a', 'x');
    (bad.data as Buffer)[4] = 9;
    await expect(consumer.process(bad, () => undefined)).rejects.toThrow(EnvelopeError);
  });
});
