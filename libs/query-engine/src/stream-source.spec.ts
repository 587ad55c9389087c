import { dedupeLive, mayHoldWithin, partitionByOverlap, type ArchiveFile, type LiveRecord } from './stream-source';

type Range = [shardId: string, first: string, last: string];
const range = ([shardId, first, last]: Range) => ({ shardId, firstSequenceNumber: first, lastSequenceNumber: last, recordCount: Number(BigInt(last) - BigInt(first) + 1n) });
/** A layout-1 object: one shard. */
const file = (shardId: string, first: string, last: string): ArchiveFile => ({ path: `/a/${shardId}-${first}-${last}`, layout: 1, shards: [range([shardId, first, last])] });
/** A layout-2 object: several shards of one stream and hour. */
const multi = (name: string, ...ranges: Range[]): ArchiveFile => ({ path: `/a/part-${name}`, layout: 2, shards: ranges.map(range) });
const paths = (fs: ArchiveFile[]) => fs.map((f) => f.path).sort();

describe('partitionByOverlap', () => {
  it('leaves files with disjoint ranges out of de-duplication', () => {
    const files = [file('s0', '100', '199'), file('s0', '200', '299'), file('s1', '100', '299')];
    expect(partitionByOverlap(files)).toEqual({ disjoint: files, overlapping: [] });
  });

  it('puts every file whose range overlaps another of the same shard into de-duplication', () => {
    const a = file('s0', '100', '299');
    const b = file('s0', '200', '250'); // inside a
    const c = file('s0', '300', '399');
    const d = file('s1', '200', '250'); // other shard: not a duplicate of b
    const { disjoint, overlapping } = partitionByOverlap([c, b, a, d]);
    expect(overlapping.sort((x, y) => x.path.localeCompare(y.path))).toEqual([a, b]);
    expect(disjoint).toEqual([c, d]);
  });

  it('compares sequence numbers as numbers, not text', () => {
    const a = file('s0', '9', '99');
    const b = file('s0', '100', '200');
    expect(partitionByOverlap([a, b]).overlapping).toEqual([]);
    expect(partitionByOverlap([multi('x', ['s0', '9', '99']), multi('y', ['s0', '100', '200'])]).overlapping).toEqual([]);
  });

  it('scans multi-shard objects that share a shard but not a position as they are', () => {
    // Consecutive objects of one stream and hour: each shard continues where the previous object stopped.
    const p1 = multi('p1', ['s0', '100', '199'], ['s1', '100', '149'], ['s2', '500', '599']);
    const p2 = multi('p2', ['s0', '200', '299'], ['s1', '150', '180']);
    const p3 = multi('p3', ['s1', '181', '300'], ['s2', '600', '650']);
    expect(partitionByOverlap([p1, p2, p3])).toEqual({ disjoint: [p1, p2, p3], overlapping: [] });
  });

  it('de-duplicates a retried multi-shard object and only the objects it overlaps', () => {
    const p1 = multi('p1', ['s0', '100', '199'], ['s1', '100', '149']);
    const retry = multi('p1-retry', ['s0', '100', '199'], ['s1', '100', '149']); // the same records under another key
    const p2 = multi('p2', ['s0', '200', '299'], ['s1', '150', '180']);
    const { disjoint, overlapping } = partitionByOverlap([p1, p2, retry]);
    expect(paths(overlapping)).toEqual(['/a/part-p1', '/a/part-p1-retry']);
    expect(disjoint).toEqual([p2]);
  });

  it('finds an overlap on any one shard of a multi-shard object, even when its other shards are disjoint', () => {
    const p = multi('p', ['s0', '100', '199'], ['s1', '100', '149'], ['s2', '1', '5']);
    const q = multi('q', ['s0', '200', '299'], ['s1', '149', '160']); // s1 shares position 149 only
    const r = multi('r', ['s2', '6', '9']);
    const { disjoint, overlapping } = partitionByOverlap([p, q, r]);
    expect(paths(overlapping)).toEqual(['/a/part-p', '/a/part-q']);
    expect(disjoint).toEqual([r]);
  });

  it('de-duplicates a layout-1 object against the layout-2 object that holds part of its range again', () => {
    const old = file('s0', '100', '199');
    const oldOther = file('s1', '100', '199');
    const reArchived = multi('p', ['s0', '150', '260'], ['s1', '200', '260']); // s1 continues after oldOther
    const { disjoint, overlapping } = partitionByOverlap([old, oldOther, reArchived]);
    expect(paths(overlapping)).toEqual(['/a/part-p', '/a/s0-100-199']);
    expect(disjoint).toEqual([oldOther]);
  });

  it('marks files overlapped by a wide range, not only the neighbour', () => {
    const wide = multi('wide', ['s0', '1', '1000']);
    const inner = [file('s0', '10', '20'), file('s0', '30', '40'), file('s0', '1000', '1001')];
    const after = file('s0', '1002', '2000');
    const { disjoint, overlapping } = partitionByOverlap([after, ...inner, wide]);
    expect(paths(overlapping)).toEqual(paths([wide, ...inner]));
    expect(disjoint).toEqual([after]);
  });
});

describe('mayHoldWithin (per-shard sequence bounds)', () => {
  const shards = multi('p', ['s0', '100', '199'], ['s1', '50', '59']).shards;

  it('keeps an object while any of its shards may hold a record within the bounds', () => {
    expect(mayHoldWithin(shards, {})).toBe(true);
    expect(mayHoldWithin(shards, { from: { s0: '500' } })).toBe(true); // s1 is unbounded
    expect(mayHoldWithin(shards, { from: { s0: '500', s1: '59' } })).toBe(true); // s1 ends exactly at its bound
    expect(mayHoldWithin(shards, { until: { s0: '100', s1: '10' } })).toBe(true); // s0 starts exactly at its bound
  });

  it('drops an object only when every shard range lies outside its shard bounds', () => {
    expect(mayHoldWithin(shards, { from: { s0: '200', s1: '60' } })).toBe(false);
    expect(mayHoldWithin(shards, { from: { s0: '200' }, until: { s1: '49' } })).toBe(false);
    // numerically, not as text: 99 < 100
    expect(mayHoldWithin(file('s0', '9', '99').shards, { from: { s0: '100' } })).toBe(false);
  });
});

describe('dedupeLive', () => {
  it('keeps one record per (shard, sequence, sub-sequence)', () => {
    const r = (shardId: string, seq: string, sub: number): LiveRecord => ({ shardId, sequenceNumber: seq, subSequenceNumber: sub, partitionKey: 'k', arrivalTime: 0, data: new Uint8Array() });
    const records = [r('s0', '1', 0), r('s0', '1', 0), r('s0', '1', 1), r('s1', '1', 0)];
    expect(dedupeLive(records)).toEqual([r('s0', '1', 0), r('s0', '1', 1), r('s1', '1', 0)]);
  });
});
