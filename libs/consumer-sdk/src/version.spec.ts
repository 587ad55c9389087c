import { compareVersions, type RecordVersion } from './version';
import type { ReplayWatermarks } from './watermarks';

const v = (shardId: string, sequenceNumber: string, arrivalTime: number, extra: Partial<RecordVersion> = {}): RecordVersion => ({
  stream: 'orders',
  shardId,
  sequenceNumber,
  subSequenceNumber: 0,
  arrivalTime,
  ...extra,
});

const S0 = 'shardId-000000000000';
const S1 = 'shardId-000000000001';
const S2 = 'shardId-000000000002';

const doc: ReplayWatermarks = {
  replayId: 'r1',
  sourceStream: 'orders',
  targetStream: 'orders',
  state: 'running',
  watermarks: [
    { shardId: S0, sequenceNumber: '500' },
    { shardId: S1, sequenceNumber: '700' },
  ],
  shards: [
    { shardId: S0, parentShardId: null, adjacentParentShardId: null },
    { shardId: S1, parentShardId: null, adjacentParentShardId: null },
  ],
};

describe('compareVersions', () => {
  it('orders one shard by sequence number as a big integer, then sub-sequence, ignoring arrival time', () => {
    const big = '49590338271490256608559692538361571095921575989136588818';
    const bigger = '49590338271490256608559692538361571095921575989136588819';
    expect(compareVersions(v(S0, big, 9), v(S0, bigger, 1))).toBe(-1);
    expect(compareVersions(v(S0, bigger, 1), v(S0, big, 9))).toBe(1);
    expect(compareVersions(v(S0, '9', 0), v(S0, '10', 0))).toBe(-1);
    expect(compareVersions(v(S0, big, 0, { subSequenceNumber: 2 }), v(S0, big, 0, { subSequenceNumber: 1 }))).toBe(1);
    expect(compareVersions(v(S0, big, 0), v(S0, big, 5))).toBe(0);
  });

  it("orders an ancestor shard's records before its descendants', whatever their arrival times", () => {
    const lineage: ReplayWatermarks = {
      ...doc,
      shards: [...doc.shards, { shardId: S2, parentShardId: S0, adjacentParentShardId: S1 }, { shardId: 'shardId-000000000003', parentShardId: S2, adjacentParentShardId: null }],
    };
    const ctx = { watermarks: [lineage] };
    expect(compareVersions(v(S0, '999', 2000), v(S2, '1', 1000), ctx)).toBe(-1);
    expect(compareVersions(v(S2, '1', 1000), v(S1, '999', 2000), ctx)).toBe(1);
    expect(compareVersions(v('shardId-000000000003', '1', 0), v(S0, '2', 5000), ctx)).toBe(1);
    // Without the lineage, arrival time decides.
    expect(compareVersions(v(S0, '999', 2000), v(S2, '1', 1000))).toBe(1);
  });

  it('takes a live record past the replay watermark of its shard as newer than a replayed one', () => {
    const replayed = v(S0, '400', 5000);
    const live = v(S1, '701', 1000);
    expect(compareVersions(replayed, live, { aReplayId: 'r1', watermarks: [doc] })).toBe(-1);
    expect(compareVersions(live, replayed, { bReplayId: 'r1', watermarks: [doc] })).toBe(1);
  });

  it('takes a live record on a shard the watermarks do not cover as newer than a replayed one', () => {
    expect(compareVersions(v(S0, '400', 5000), v(S2, '3', 1000), { aReplayId: 'r1', watermarks: [doc] })).toBe(-1);
  });

  it('falls back to arrival time for a live record at or before the watermark, and for two replayed records', () => {
    expect(compareVersions(v(S0, '400', 5000), v(S1, '700', 1000), { aReplayId: 'r1', watermarks: [doc] })).toBe(1);
    expect(compareVersions(v(S0, '400', 5000), v(S1, '900', 1000), { aReplayId: 'r1', bReplayId: 'r2', watermarks: [doc] })).toBe(1);
    expect(compareVersions(v(S0, '400', 1000), v(S1, '700', 1000), { aReplayId: 'r1', watermarks: [doc] })).toBe(0);
  });

  it('ignores watermarks of a replay of another stream', () => {
    const other = { ...doc, sourceStream: 'payments' };
    expect(compareVersions(v(S0, '400', 5000), v(S1, '701', 1000), { aReplayId: 'r1', watermarks: [other] })).toBe(1);
  });

  it('orders different streams by arrival time', () => {
    expect(compareVersions(v(S0, '1', 2000, { stream: 'a' }), v(S0, '9', 1000, { stream: 'b' }))).toBe(1);
    expect(compareVersions(v(S0, '9', 1000, { stream: 'a' }), v(S0, '1', 2000, { stream: 'b' }))).toBe(-1);
    expect(compareVersions(v(S0, '9', 1000, { stream: 'a' }), v(S0, '1', 1000, { stream: 'b' }))).toBe(0);
  });
});
