import { createHash } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Where the tail reads a shard next:
 * - `start`: the shard's oldest retained record (TRIM_HORIZON);
 * - `time`: records that arrived at or after `time` (epoch ms, AT_TIMESTAMP);
 * - `after`: records after sequence number `seq`. With `sub`, the answer stopped inside a KPL aggregate: the rest of
 *   `seq` (user records with a larger sub-sequence number) comes first. With `skipTo`, empty pages showed nothing
 *   arrived between `seq` and that time (epoch ms): read from it (AT_TIMESTAMP), dropping anything up to `seq`.
 */
export type ShardPosition =
  | { type: 'start' }
  | { type: 'time'; time: number }
  | { type: 'after'; seq: string; sub?: number; skipTo?: number };

/** A decoded cursor: positions by shard number (`shardId-000000000012` is 12). */
export interface TailCursorState {
  /** the highest shard number the stream had: a shard absent from `positions` up to it was read to its end */
  maxShard: number;
  /** the shard number the next call starts its rotation at */
  next: number;
  positions: Map<number, ShardPosition>;
}

/** Epoch ms accepted in a cursor and for `from`: 1970 up to the end of year 9999 (what ISO-8601 and Kinesis take). */
export const MAX_TIME_MS = 253_402_300_799_999;
const validTime = (t: number) => Number.isSafeInteger(t) && t >= 0 && t <= MAX_TIME_MS;

const VERSION = 2;
/** Decompressed cursors larger than this are refused (a stream has at most a few thousand shards). */
const MAX_RAW_BYTES = 1 << 20;
const KIND = { start: 0, time: 1, after: 2, afterSub: 3, afterSkip: 4 } as const;

/** Real Kinesis and its emulators name shards `shardId-` and a 12-digit number that grows with each new shard. */
export function shardNumber(shardId: string): number | null {
  const m = /^shardId-(\d{1,15})$/.exec(shardId);
  return m ? Number(m[1]) : null;
}

/** 4 bytes of the stream name's hash: a cursor of another stream is refused, not silently applied. */
const streamTag = (stream: string) => createHash('sha256').update(stream, 'utf8').digest().subarray(0, 4);

class Writer {
  private readonly bytes: number[] = [];
  byte(b: number) {
    this.bytes.push(b);
  }
  varint(n: number) {
    while (n >= 0x80) {
      this.bytes.push((n % 0x80) | 0x80);
      n = Math.floor(n / 0x80);
    }
    this.bytes.push(n);
  }
  /** A decimal sequence number as its big-endian bytes (56 digits -> 24 bytes). */
  seq(decimal: string) {
    let hex = BigInt(decimal).toString(16);
    if (hex.length % 2) hex = `0${hex}`;
    const b = Buffer.from(hex, 'hex');
    this.byte(b.length);
    for (const x of b) this.bytes.push(x);
  }
  buffer() {
    return Buffer.from(this.bytes);
  }
}

class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  get done() {
    return this.at >= this.buf.length;
  }
  byte(): number {
    if (this.at >= this.buf.length) throw new Error('truncated');
    return this.buf[this.at++];
  }
  varint(): number {
    let n = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      n += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (!Number.isSafeInteger(n)) throw new Error('varint too large');
        return n;
      }
      scale *= 0x80;
    }
    throw new Error('varint too long');
  }
  seq(): string {
    const len = this.byte();
    if (len === 0 || len > 64 || this.at + len > this.buf.length) throw new Error('bad sequence number');
    const hex = this.buf.subarray(this.at, this.at + len).toString('hex');
    this.at += len;
    return BigInt(`0x${hex}`).toString(10);
  }
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('truncated');
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }
}

/**
 * The cursor as the API hands it out: compact, because it travels in the query string and Node refuses request
 * headers over 16 KiB (HTTP 431). Shard numbers instead of ids, sequence numbers as bytes, finished shards left
 * out, the whole deflated and base64url-encoded: about 20-30 characters a shard, so some 500 shards fit.
 */
export function encodeTailCursor(stream: string, state: TailCursorState): string {
  const w = new Writer();
  w.byte(VERSION);
  for (const b of streamTag(stream)) w.byte(b);
  w.varint(state.maxShard);
  w.varint(state.next);
  for (const [shard, p] of [...state.positions].sort((a, b) => a[0] - b[0])) {
    w.varint(shard);
    if (p.type === 'start') w.byte(KIND.start);
    else if (p.type === 'time') {
      w.byte(KIND.time);
      w.varint(p.time);
    } else if (p.skipTo !== undefined) {
      w.byte(KIND.afterSkip);
      w.seq(p.seq);
      w.varint(p.skipTo);
    } else if (p.sub !== undefined) {
      w.byte(KIND.afterSub);
      w.seq(p.seq);
      w.varint(p.sub);
    } else {
      w.byte(KIND.after);
      w.seq(p.seq);
    }
  }
  return deflateRawSync(w.buffer(), { level: 9 }).toString('base64url');
}

export type CursorProblem = 'malformed' | 'other-stream';

/** The state in a cursor of `stream`, or why it is not one. */
export function decodeTailCursor(stream: string, text: string): TailCursorState | CursorProblem {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return 'malformed';
  let raw: Buffer;
  try {
    raw = inflateRawSync(Buffer.from(text, 'base64url'), { maxOutputLength: MAX_RAW_BYTES });
  } catch {
    return 'malformed';
  }
  try {
    const r = new Reader(raw);
    if (r.byte() !== VERSION) return 'malformed';
    if (!r.bytes(4).equals(streamTag(stream))) return 'other-stream';
    const maxShard = r.varint();
    const next = r.varint();
    const positions = new Map<number, ShardPosition>();
    while (!r.done) {
      const shard = r.varint();
      if (shard > maxShard || positions.has(shard)) return 'malformed';
      const kind = r.byte();
      let p: ShardPosition;
      if (kind === KIND.start) p = { type: 'start' };
      else if (kind === KIND.time) p = { type: 'time', time: r.varint() };
      else if (kind === KIND.after) p = { type: 'after', seq: r.seq() };
      else if (kind === KIND.afterSub) p = { type: 'after', seq: r.seq(), sub: r.varint() };
      else if (kind === KIND.afterSkip) p = { type: 'after', seq: r.seq(), skipTo: r.varint() };
      else return 'malformed';
      if ((p.type === 'time' && !validTime(p.time)) || (p.type === 'after' && p.skipTo !== undefined && !validTime(p.skipTo))) return 'malformed';
      positions.set(shard, p);
    }
    return { maxShard, next, positions };
  } catch {
    return 'malformed';
  }
}

/** How far back of Kinesis's reported position a skip-ahead starts, for clock skew between the gateway and AWS. */
export const SKIP_MARGIN_MS = 5_000;

/**
 * The position after a read of one shard that returned nothing although Kinesis said the iterator is
 * `millisBehindLatest` behind the tip: pages were empty, so nothing arrived between the position and
 * `now - millisBehindLatest`. Real Kinesis answers such empty pages after TRIM_HORIZON or AT_TIMESTAMP on sparse
 * data; without moving on, every call would walk the same empty pages again and the tail would never reach the
 * records. The new position starts there (less a margin for clock skew), and never moves back.
 */
export function skipAhead(position: ShardPosition, millisBehindLatest: number, now: number): ShardPosition {
  if (millisBehindLatest <= 0) return position;
  const to = now - millisBehindLatest - SKIP_MARGIN_MS;
  if (!validTime(to)) return position;
  switch (position.type) {
    case 'start':
      return { type: 'time', time: to };
    case 'time':
      return to > position.time ? { type: 'time', time: to } : position;
    case 'after':
      // Inside an aggregate: AT_SEQUENCE_NUMBER always finds that record, so there is nothing to skip.
      if (position.sub !== undefined) return position;
      // Records up to `seq` were returned already; reading from a time before it is harmless (they are dropped).
      return position.skipTo !== undefined && to <= position.skipTo ? position : { type: 'after', seq: position.seq, skipTo: to };
  }
}

/** Whether a user record comes after `position` (AT_* iterators re-read what an `after` position already returned). */
export function isAfter(position: ShardPosition, seq: string, sub: number): boolean {
  if (position.type !== 'after') return true;
  const a = BigInt(seq);
  const b = BigInt(position.seq);
  if (a !== b) return a > b;
  return position.sub !== undefined && sub > position.sub;
}
