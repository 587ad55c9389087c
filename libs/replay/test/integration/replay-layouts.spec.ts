import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import { ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import type { ReplayService, ReplayView } from '@flux-capacitor/replay';
import { writeArchiveObject, writeLayout1Object, type StreamRecord } from '@flux-capacitor/testing';
import { ReplayFixture } from '../support/replay-fixture';

let fx: ReplayFixture;
let service: ReplayService;
let source: string;
/** every record of the source, by shard (sorted by shard id), in sequence order */
let shards: [string, StreamRecord[]][];

const asArchived = (stream: string, r: StreamRecord, i: number): ArchiveRecord => ({
  stream,
  shardId: r.shardId,
  sequenceNumber: r.sequenceNumber,
  subSequenceNumber: 0,
  partitionKey: r.partitionKey,
  explicitHashKey: null,
  arrivalTime: Date.parse('2026-11-25T10:00:00.000Z') + i * 10,
  data: r.data,
});

async function plan(body: Record<string, unknown>): Promise<ReplayView> {
  const target = await fx.createStream(1);
  const created = await service.create({ source, target, dryRun: true, ...body }, 'token:test');
  return fx.waitFor(service, created.id);
}

beforeAll(async () => {
  fx = await ReplayFixture.create();
  ({ service } = fx.replayService());
  source = await fx.createStream(2);
  await fx.put(source, Array.from({ length: 80 }, (_, i) => ({ key: `k${i}`, data: JSON.stringify({ i }) })));
  const all = await fx.readAll(source);
  shards = [...new Set(all.map((r) => r.shardId))].sort().map((id) => [id, all.filter((r) => r.shardId === id)]);
  const [[, s0], [, s1]] = shards;
  expect(Math.min(s0.length, s1.length)).toBeGreaterThanOrEqual(20);

  // Archived: shard 0's first 10 records in a layout-1 object; one multi-shard layout-2 object with shard 0's
  // records 8-14 (8 and 9 again) and shard 1's first 12. The rest is live.
  const engine = await ParquetEngine.create({ threads: 1 });
  try {
    const writer = new CatalogWriter(fx.ds);
    await writer.registerObject(await writeLayout1Object(fx.store, s0.slice(0, 10).map((r, i) => asArchived(source, r, i))));
    const multi = [...s0.slice(8, 15).map((r, i) => asArchived(source, r, 100 + i)), ...s1.slice(0, 12).map((r, i) => asArchived(source, r, 100 + i))];
    await writer.registerObject(await writeArchiveObject(fx.store, engine, multi));
  } finally {
    engine.close();
  }
});

afterAll(() => fx?.close());

describe('replay selection over multi-shard objects', () => {
  it('selects every record once, archived in either layout or live', async () => {
    const view = await plan({});
    expect(view.state).toBe('planned');
    expect(view.plan).toMatchObject({ records: 80, objects: 2 });
    expect(view.plan?.perShard).toEqual(Object.fromEntries(shards.map(([id, rs]) => [id, rs.length])));
    expect(view.plan?.liveRecords).toBe(80 - 15 - 12);
    // no upper bound: each shard's watermark is its tip
    expect(view.plan?.watermarks).toEqual(Object.fromEntries(shards.map(([id, rs]) => [id, rs.at(-1)!.sequenceNumber])));
  });

  it('applies per-shard sequence bounds inside a multi-shard object, and across layouts and the live tail', async () => {
    const [[id0, s0], [id1, s1]] = shards;
    // shard 0: from inside the layout-1 object (5) to inside the multi-shard one (12); shard 1: from inside the
    // multi-shard object (4) on, into the live tail
    const view = await plan({ fromSequence: { [id0]: s0[5].sequenceNumber, [id1]: s1[4].sequenceNumber }, untilSequence: { [id0]: s0[12].sequenceNumber } });
    expect(view.state).toBe('planned');
    expect(view.plan?.perShard).toEqual({ [id0]: 12 - 5 + 1, [id1]: s1.length - 4 });
    // with an upper bound only the upper bounds prune objects (the watermarks are read under them): both stay
    expect(view.plan?.objects).toBe(2);
    expect(view.plan?.watermarks).toEqual({ [id0]: s0[12].sequenceNumber, [id1]: s1.at(-1)!.sequenceNumber });
  });

  it('does not scan objects wholly before the lower bounds; a multi-shard object stays while one of its shards is within them', async () => {
    const [[id0, s0], [id1, s1]] = shards;
    // shard 0 from record 10: the layout-1 object (0-9) holds nothing of it; shard 1 unbounded keeps the multi-shard one
    const one = await plan({ fromSequence: { [id0]: s0[10].sequenceNumber } });
    expect(one.plan).toMatchObject({ objects: 1, records: s0.length - 10 + s1.length, perShard: { [id0]: s0.length - 10, [id1]: s1.length } });
    // both shards past the multi-shard object (shard 0: 8-14, shard 1: 0-11): only the live tail remains
    const none = await plan({ fromSequence: { [id0]: s0[15].sequenceNumber, [id1]: s1[12].sequenceNumber } });
    expect(none.plan).toMatchObject({ objects: 0, records: s0.length - 15 + s1.length - 12 });
    // shard 1 from 11 is still inside the multi-shard object: it is scanned
    const inside = await plan({ fromSequence: { [id0]: s0[15].sequenceNumber, [id1]: s1[11].sequenceNumber } });
    expect(inside.plan).toMatchObject({ objects: 1, records: s0.length - 15 + s1.length - 11 });
  });

  it('bounds one shard of a multi-shard object without touching the other', async () => {
    const [[id0, s0], [id1, s1]] = shards;
    const view = await plan({ untilSequence: { [id1]: s1[3].sequenceNumber } });
    expect(view.plan?.perShard).toEqual({ [id0]: s0.length, [id1]: 4 });
  });
});
