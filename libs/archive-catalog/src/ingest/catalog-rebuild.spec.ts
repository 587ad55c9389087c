import type { ObjectShardRange } from '@flux-capacitor/contracts';
import type { ArchiveObjectFacts } from './archive-object-inspector';
import { checkedShardRanges } from './catalog-rebuild';

const r = (shardId: string, first: string, last: string, recordCount: number): ObjectShardRange => ({ shardId, firstSequenceNumber: first, lastSequenceNumber: last, recordCount });
const facts = (declaredShards: ObjectShardRange[] | null, observedShards?: ObjectShardRange[]): ArchiveObjectFacts => ({
  recordCount: 0,
  firstArrivalTime: 0,
  lastArrivalTime: 0,
  bytes: 0,
  schema: null,
  layout: 2,
  declaredShards,
  observedShards,
  fields: [],
});

describe('checkedShardRanges (layout-2 rebuild)', () => {
  it('trusts flux.shards when the rows hold exactly those ranges', () => {
    const ranges = [r('s0', '100', '199', 100), r('s1', '5', '9', 5)];
    expect(checkedShardRanges(facts(ranges, ranges.map((x) => ({ ...x }))))).toEqual({ shards: ranges });
  });

  it('compares sequence numbers as numbers (leading zeros, 56 digits)', () => {
    const wide = '49600000000000000000000000000000000000000000000000000001';
    expect(checkedShardRanges(facts([r('s0', wide, wide, 1)], [r('s0', `000${wide}`, wide, 1)]))).toEqual({ shards: [r('s0', wide, wide, 1)] });
  });

  it.each([
    ['a different last sequence number', [r('s0', '100', '199', 100)], [r('s0', '100', '198', 100)]],
    ['a different count (a gap in the range)', [r('s0', '100', '199', 100)], [r('s0', '100', '199', 99)]],
    ['a shard the metadata does not name', [r('s0', '100', '199', 100)], [r('s0', '100', '199', 100), r('s1', '1', '1', 1)]],
    ['a named shard without rows', [r('s0', '100', '199', 100), r('s1', '1', '1', 1)], [r('s0', '100', '199', 100)]],
  ])('refuses metadata that disagrees with the rows: %s', (_what, declared, observed) => {
    const out = checkedShardRanges(facts(declared, observed));
    expect(out).toEqual({ problem: expect.stringMatching(/^flux\.shards declares \[.*\] but the rows hold \[.*\]$/) });
  });

  it('refuses an object without readable flux.shards', () => {
    expect(checkedShardRanges(facts(null, [r('s0', '1', '2', 2)]))).toEqual({ problem: 'no readable flux.shards metadata' });
  });
});
