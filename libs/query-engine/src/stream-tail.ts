import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type Shard, type ShardIteratorType } from '@aws-sdk/client-kinesis';
import { FluxError, isFluxError } from '@flux-capacitor/contracts';
import { listShards, StreamNotFoundError } from '@flux-capacitor/kinesis';
import { userRecords } from './live-tail';

/** Where the tail starts when there is no cursor. */
export type TailStart = { type: 'latest' } | { type: 'earliest' } | { type: 'at'; time: Date };

/** One record of the tail, as the API answers it. */
export interface TailRecord {
  shardId: string;
  /** decimal string: Kinesis sequence numbers exceed JS numbers */
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  /** base64 */
  data: string;
  /** the data as JSON when it is JSON, else null */
  payload: unknown;
}

export interface TailPage {
  records: TailRecord[];
  cursor: string;
}

/**
 * Per shard, where the next call reads: after a sequence number (`a`), from a time (`t`, epoch ms), from the start
 * of the shard (`h`), or nowhere (`e`: a closed shard read to its end).
 */
type ShardPosition = { a: string } | { t: number } | { h: 1 } | { e: 1 };

interface CursorState {
  v: 1;
  /** position per shard id */
  s: Record<string, ShardPosition>;
  /** the first shard the next call reads, so a busy shard cannot starve the others when `limit` stops a call early */
  o: number;
}

/** Largest cursor accepted (a stream has at most a few hundred shards, each position about 80 characters). */
const MAX_CURSOR_LENGTH = 64 * 1024;
/** GetRecords calls per shard and call: enough to walk past empty pages of an old shard, bounded per call. */
const MAX_CALLS_PER_SHARD = 3;

export const encodeTailCursor = (state: CursorState) => Buffer.from(JSON.stringify(state), 'utf8').toString('base64url');

export function decodeTailCursor(text: string): CursorState | null {
  if (text.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    const state = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as CursorState;
    if (state?.v !== 1 || typeof state.s !== 'object' || state.s === null || !Number.isInteger(state.o)) return null;
    for (const p of Object.values(state.s)) {
      const valid =
        (typeof p === 'object' && p !== null && 'a' in p && typeof p.a === 'string' && /^\d{1,128}$/.test(p.a)) ||
        ('t' in p && Number.isFinite(p.t)) ||
        ('h' in p && p.h === 1) ||
        ('e' in p && p.e === 1);
      if (!valid) return null;
    }
    return state;
  } catch {
    return null;
  }
}

function payloadOf(data: Uint8Array): unknown {
  if (data.length === 0) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return null;
  }
}

/**
 * Follows the newest records of a stream across its shards, like `kcat -C`: each call reads what arrived since the
 * cursor of the previous one. The cursor is opaque to clients and holds each shard's position (the last sequence
 * number returned, else the time or shard start the tail began at), so any gateway replica continues it. Each call
 * does bounded work: one ListShards, then per shard one GetShardIterator and at most three GetRecords, up to
 * `limit` records. Resharding: a shard that appears after the cursor was made (a child) is read from its start,
 * and a closed shard read to its end is skipped from then on.
 */
export class StreamTail {
  constructor(private readonly kinesis: KinesisClient) {}

  async read(stream: string, opts: { start: TailStart; cursor?: string; limit: number; now?: Date }): Promise<TailPage> {
    const state = opts.cursor !== undefined ? decodeTailCursor(opts.cursor) : null;
    if (opts.cursor !== undefined && !state) throw new FluxError('invalid-input', 'INVALID_CURSOR', 'cursor: must be the cursor of a previous tail answer of this stream');
    let shards: Shard[];
    try {
      shards = await listShards(this.kinesis, stream);
    } catch (err) {
      if (err instanceof StreamNotFoundError) throw new FluxError('not-found', 'STREAM_NOT_FOUND', `Kinesis has no stream ${stream}`, { details: { stream }, cause: err });
      throw unavailable(stream, err);
    }
    const now = (opts.now ?? new Date()).getTime();
    // Without a cursor every shard starts at `start`; with one, a shard it does not know is new (a reshard's child):
    // read from its start so nothing between the reshard and this call is missed.
    const initial: ShardPosition = state ? { h: 1 } : opts.start.type === 'earliest' ? { h: 1 } : { t: opts.start.type === 'at' ? opts.start.time.getTime() : now };
    const shardIds = shards.map((s) => s.ShardId).filter((id): id is string => id !== undefined);
    const positions: Record<string, ShardPosition> = {};
    for (const id of shardIds) positions[id] = state?.s[id] ?? initial;
    const next: CursorState = { v: 1, s: positions, o: 0 };
    // `latest` without a cursor: only what arrives after this call, so there is nothing to read yet.
    if (!state && opts.start.type === 'latest') return { records: [], cursor: encodeTailCursor(next) };

    const ids = shardIds.filter((id) => !('e' in positions[id]));
    const offset = ids.length === 0 ? 0 : (state?.o ?? 0) % ids.length;
    const order = [...ids.slice(offset), ...ids.slice(0, offset)];
    const records: TailRecord[] = [];
    let index = 0;
    try {
      for (; index < order.length && records.length < opts.limit; index++) {
        const shardId = order[index];
        const position = positions[shardId];
        // A start in the future: nothing can have arrived yet (and Kinesis refuses such an iterator).
        if ('t' in position && position.t > now) continue;
        positions[shardId] = await this.readShard(stream, shardId, position, opts.limit - records.length, records);
      }
    } catch (err) {
      if (isFluxError(err)) throw err;
      throw unavailable(stream, err);
    }
    next.o = order.length === 0 ? 0 : (offset + index) % order.length;
    return { records, cursor: encodeTailCursor(next) };
  }

  /** Reads one shard from `position` into `out`; returns its position after what it read. */
  private async readShard(stream: string, shardId: string, position: ShardPosition, limit: number, out: TailRecord[]): Promise<ShardPosition> {
    const start =
      'a' in position
        ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER' as ShardIteratorType, StartingSequenceNumber: position.a }
        : 't' in position
          ? { ShardIteratorType: 'AT_TIMESTAMP' as ShardIteratorType, Timestamp: new Date(position.t) }
          : { ShardIteratorType: 'TRIM_HORIZON' as ShardIteratorType };
    let iterator = (await this.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ...start }))).ShardIterator;
    let current = position;
    for (let call = 0; iterator && call < MAX_CALLS_PER_SHARD && limit > 0; call++) {
      const res = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, limit) }));
      for (const r of res.Records ?? []) {
        for (const u of userRecords(r, shardId)) {
          out.push({
            shardId,
            sequenceNumber: u.sequenceNumber,
            partitionKey: u.partitionKey,
            arrivalTime: new Date(u.arrivalTime).toISOString(),
            data: Buffer.from(u.data).toString('base64'),
            payload: payloadOf(u.data),
          });
        }
        if (r.SequenceNumber) current = { a: r.SequenceNumber };
        limit--;
      }
      iterator = res.NextShardIterator;
      // At the tip: nothing more to read now. (An old shard may answer empty pages before its records: read on.)
      if ((res.Records ?? []).length > 0 || (res.MillisBehindLatest ?? 0) === 0) break;
    }
    // No next iterator: the shard is closed and read to its end.
    return iterator ? current : { e: 1 };
  }
}

const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException']);

function unavailable(stream: string, err: unknown): FluxError {
  // Kinesis allows 5 GetShardIterator/GetRecords calls per second per shard, shared by every reader of it.
  if (THROTTLES.has((err as { name?: string })?.name ?? '')) {
    return new FluxError('overloaded', 'TAIL_THROTTLED', `Kinesis is throttling reads of ${stream}; try again shortly`, { details: { stream, retryAfterSeconds: 1 }, cause: err });
  }
  return new FluxError('unavailable', 'LIVE_TAIL_UNAVAILABLE', `reading the tail of ${stream} from Kinesis failed: ${(err as Error).message}`, { cause: err });
}
