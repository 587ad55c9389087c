import { dedupeLive, partitionByOverlap, type ArchiveFile, type LiveRecord } from './stream-source';

const file = (shardId: string, first: string, last: string): ArchiveFile => ({ path: `/a/${shardId}-${first}-${last}`, shardId, firstSequenceNumber: first, lastSequenceNumber: last });

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
  });
});

describe('dedupeLive', () => {
  it('keeps one record per (shard, sequence, sub-sequence)', () => {
    const r = (shardId: string, seq: string, sub: number): LiveRecord => ({ shardId, sequenceNumber: seq, subSequenceNumber: sub, partitionKey: 'k', arrivalTime: 0, data: new Uint8Array() });
    const records = [r('s0', '1', 0), r('s0', '1', 0), r('s0', '1', 1), r('s1', '1', 0)];
    expect(dedupeLive(records)).toEqual([r('s0', '1', 0), r('s0', '1', 1), r('s1', '1', 0)]);
  });
});
