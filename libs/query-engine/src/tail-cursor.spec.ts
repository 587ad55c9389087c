import { decodeTailCursor, encodeTailCursor, isAfter, shardNumber, skipAhead, SKIP_MARGIN_MS, type ShardPosition, type TailCursorState } from './tail-cursor';

const SEQ = '49590338271490256608559692538361571095921575989136588898';
const seqOf = (i: number) => (BigInt(SEQ) + BigInt(i) * 1_000_003n).toString();

describe('tail cursor', () => {
  it('round-trips every kind of position', () => {
    const state: TailCursorState = {
      maxShard: 9,
      next: 3,
      positions: new Map<number, ShardPosition>([
        [0, { type: 'start' }],
        [1, { type: 'time', time: 1_764_590_400_000 }],
        [2, { type: 'after', seq: SEQ }],
        [3, { type: 'after', seq: SEQ, sub: 4 }],
        [9, { type: 'after', seq: SEQ, skipTo: 1_764_590_400_123 }],
      ]),
    };
    expect(decodeTailCursor('orders', encodeTailCursor('orders', state))).toEqual(state);
  });

  it('stays small: 1000 shards with 56-digit sequence numbers fit well inside a 16 KiB request line', () => {
    const positions = new Map<number, ShardPosition>(Array.from({ length: 1000 }, (_, i) => [i, { type: 'after', seq: seqOf(i) }]));
    const cursor = encodeTailCursor('orders', { maxShard: 999, next: 0, positions });
    expect(cursor.length).toBeLessThan(40 * 1000);
    const small = encodeTailCursor('orders', { maxShard: 199, next: 0, positions: new Map([...positions].slice(0, 200)) });
    expect(small.length).toBeLessThan(8 * 1024);
  });

  it("refuses another stream's cursor and anything that is not a cursor", () => {
    const cursor = encodeTailCursor('orders', { maxShard: 0, next: 0, positions: new Map([[0, { type: 'start' }]]) });
    expect(decodeTailCursor('payments', cursor)).toBe('other-stream');
    expect(decodeTailCursor('orders', 'not a cursor')).toBe('malformed');
    expect(decodeTailCursor('orders', 'AAAA')).toBe('malformed');
    expect(decodeTailCursor('orders', Buffer.from(JSON.stringify({ v: 1, s: {}, o: 0 })).toString('base64url'))).toBe('malformed');
  });

  it('refuses times outside 1970..9999', () => {
    const bad = encodeTailCursor('orders', { maxShard: 0, next: 0, positions: new Map([[0, { type: 'time', time: 253_402_300_800_000 }]]) });
    expect(decodeTailCursor('orders', bad)).toBe('malformed');
  });

  it('reads shard numbers from Kinesis shard ids only', () => {
    expect(shardNumber('shardId-000000000012')).toBe(12);
    expect(shardNumber('shard-12')).toBeNull();
  });
});

describe('tail position past empty pages', () => {
  const now = 1_764_590_400_000;
  const hour = 3_600_000;

  it('moves a shard read from its start to the time Kinesis reports the iterator reached, less the skew margin', () => {
    expect(skipAhead({ type: 'start' }, 5 * hour, now)).toEqual({ type: 'time', time: now - 5 * hour - SKIP_MARGIN_MS });
  });

  it('moves a time position forward, never back', () => {
    expect(skipAhead({ type: 'time', time: now - 10 * hour }, 5 * hour, now)).toEqual({ type: 'time', time: now - 5 * hour - SKIP_MARGIN_MS });
    expect(skipAhead({ type: 'time', time: now - hour }, 5 * hour, now)).toEqual({ type: 'time', time: now - hour });
  });

  it('keeps the last sequence number returned when it skips ahead, so nothing is returned twice', () => {
    const skipped = skipAhead({ type: 'after', seq: SEQ }, 2 * hour, now);
    expect(skipped).toEqual({ type: 'after', seq: SEQ, skipTo: now - 2 * hour - SKIP_MARGIN_MS });
    expect(isAfter(skipped, SEQ, 0)).toBe(false);
    expect(isAfter(skipped, seqOf(1), 0)).toBe(true);
    expect(skipAhead(skipped, 3 * hour, now)).toBe(skipped);
    expect(skipAhead(skipped, hour, now)).toEqual({ type: 'after', seq: SEQ, skipTo: now - hour - SKIP_MARGIN_MS });
  });

  it('stays put at the tip, and inside an aggregate', () => {
    expect(skipAhead({ type: 'start' }, 0, now)).toEqual({ type: 'start' });
    const inside: ShardPosition = { type: 'after', seq: SEQ, sub: 2 };
    expect(skipAhead(inside, hour, now)).toBe(inside);
    expect([0, 2, 3].map((sub) => isAfter(inside, SEQ, sub))).toEqual([false, false, true]);
  });
});
