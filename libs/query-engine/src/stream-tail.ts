import { GetRecordsCommand, GetShardIteratorCommand, type GetShardIteratorCommandInput, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { FluxError, isFluxError } from '@flux-capacitor/contracts';
import { listShards, StreamNotFoundError } from '@flux-capacitor/kinesis';
import { userRecords } from './live-tail';
import { decodeTailCursor, encodeTailCursor, isAfter, shardNumber, skipAhead, type ShardPosition, type TailCursorState } from './tail-cursor';

/** Where the tail starts when there is no cursor. */
export type TailStart = { type: 'latest' } | { type: 'earliest' } | { type: 'at'; time: Date };

/** One record of the tail, as the API answers it. */
export interface TailRecord {
  shardId: string;
  /** decimal string: Kinesis sequence numbers exceed JS numbers */
  sequenceNumber: string;
  /** the user record's index inside a KPL aggregate (0 for a plain record): with the sequence number, its key */
  subSequenceNumber: number;
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

export interface StreamTailOptions {
  /** most shards one call reads; the rotation continues with the next ones at the next call */
  maxShardsPerCall: number;
  /** ms; no further shard is started past this time budget (one shard is always read) */
  budgetMs: number;
  /** most bytes of record data per answer (the first record always goes, whatever its size) */
  maxBytes: number;
}

export const STREAM_TAIL_DEFAULTS: StreamTailOptions = { maxShardsPerCall: 32, budgetMs: 2_000, maxBytes: 4 * 1024 * 1024 };

/** GetRecords calls per shard and call: enough to walk past a few empty pages, bounded per call. */
const MAX_CALLS_PER_SHARD = 3;

function payloadOf(data: Uint8Array): unknown {
  if (data.length === 0) return null;
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return null;
  }
}

/** What an answer has taken so far, against its record and byte limits. */
class Answer {
  readonly records: TailRecord[] = [];
  private bytes = 0;
  constructor(
    private readonly limit: number,
    private readonly maxBytes: number,
  ) {}
  get full() {
    return this.records.length >= this.limit || this.bytes >= this.maxBytes;
  }
  /** Takes the record when it fits (the first always does, so every answer makes progress). */
  offer(record: TailRecord, size: number): boolean {
    if (this.records.length >= this.limit || (this.records.length > 0 && this.bytes + size > this.maxBytes)) return false;
    this.records.push(record);
    this.bytes += size;
    return true;
  }
}

/**
 * Follows the newest records of a stream across its shards, like `kcat -C`: each call reads what arrived since the
 * cursor of the previous one. The cursor is opaque to clients, bound to the stream, and holds each shard's position
 * (see tail-cursor.ts), so any gateway replica continues it. Each call does bounded work: one ListShards, then for at
 * most `maxShardsPerCall` shards, in rotation and within `budgetMs`, one GetShardIterator and at most three
 * GetRecords, up to `limit` user records (KPL aggregates de-aggregated) and `maxBytes` of data. Resharding: a shard
 * that appears after the cursor was made (a child) is read from its start, and a closed shard read to its end is
 * dropped from the cursor.
 */
export class StreamTail {
  private readonly options: StreamTailOptions;

  constructor(
    private readonly kinesis: KinesisClient,
    options: Partial<StreamTailOptions> = {},
  ) {
    this.options = { ...STREAM_TAIL_DEFAULTS, ...options };
  }

  async read(stream: string, opts: { start: TailStart; cursor?: string; limit: number; now?: Date }): Promise<TailPage> {
    const decoded = opts.cursor !== undefined ? decodeTailCursor(stream, opts.cursor) : null;
    if (decoded === 'malformed') throw new FluxError('invalid-input', 'INVALID_CURSOR', 'cursor: must be the cursor of a previous tail answer of this stream');
    if (decoded === 'other-stream') throw new FluxError('invalid-input', 'INVALID_CURSOR', `cursor: belongs to the tail of another stream, not ${stream}`);
    const state = decoded;
    let shards: Shard[];
    try {
      shards = await listShards(this.kinesis, stream);
    } catch (err) {
      if (err instanceof StreamNotFoundError) throw new FluxError('not-found', 'STREAM_NOT_FOUND', `Kinesis has no stream ${stream}`, { details: { stream }, cause: err });
      throw unavailable(stream, err);
    }
    const numbers = new Map<number, string>();
    for (const { ShardId: id = '' } of shards) {
      const n = shardNumber(id);
      if (n === null) throw new FluxError('unavailable', 'LIVE_TAIL_UNAVAILABLE', `stream ${stream} has a shard id the tail cannot follow`, { details: { stream } });
      numbers.set(n, id);
    }
    const now = (opts.now ?? new Date()).getTime();
    // Without a cursor every shard starts at `start`. With one, a shard it does not know is either a newer shard (a
    // reshard's child: read from its start, so nothing between the reshard and this call is missed) or one it
    // dropped because it was read to its end.
    const initial: ShardPosition =
      opts.start.type === 'earliest' ? { type: 'start' } : { type: 'time', time: opts.start.type === 'at' ? opts.start.time.getTime() : now };
    const positions = new Map<number, ShardPosition>();
    for (const n of [...numbers.keys()].sort((a, b) => a - b)) {
      const known = state?.positions.get(n);
      if (!state) positions.set(n, initial);
      else if (known) positions.set(n, known);
      else if (n > state.maxShard) positions.set(n, { type: 'start' });
    }
    const next: TailCursorState = { maxShard: Math.max(state?.maxShard ?? 0, ...numbers.keys()), next: 0, positions };
    // `latest` without a cursor: only what arrives after this call, so there is nothing to read yet.
    if (!state && opts.start.type === 'latest') return { records: [], cursor: encodeTailCursor(stream, next) };

    const live = [...positions.keys()];
    const first = Math.max(0, live.findIndex((n) => n >= (state?.next ?? 0)));
    const order = [...live.slice(first), ...live.slice(0, first)];
    const answer = new Answer(opts.limit, this.options.maxBytes);
    const deadline = Date.now() + this.options.budgetMs;
    let index = 0;
    try {
      for (; index < order.length && index < this.options.maxShardsPerCall && !answer.full; index++) {
        if (index > 0 && Date.now() > deadline) break;
        const n = order[index];
        const position = positions.get(n) ?? initial;
        // A start in the future: nothing can have arrived yet (and Kinesis refuses such an iterator).
        if (position.type === 'time' && position.time > now) continue;
        const after = await this.readShard(stream, numbers.get(n) ?? '', position, answer, now, state !== null);
        if (after === 'finished') positions.delete(n);
        else positions.set(n, after);
      }
    } catch (err) {
      if (isFluxError(err)) throw err;
      throw unavailable(stream, err);
    }
    next.next = order.length === 0 ? 0 : order[index % order.length];
    return { records: answer.records, cursor: encodeTailCursor(stream, next) };
  }

  /** Reads one shard from `position` into `answer`; returns its position after what it took, or `finished`. */
  private async readShard(stream: string, shardId: string, position: ShardPosition, answer: Answer, now: number, fromCursor: boolean): Promise<ShardPosition | 'finished'> {
    const start: Pick<GetShardIteratorCommandInput, 'ShardIteratorType' | 'StartingSequenceNumber' | 'Timestamp'> =
      position.type === 'start'
        ? { ShardIteratorType: 'TRIM_HORIZON' }
        : position.type === 'time'
          ? { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(position.time) }
          : position.skipTo !== undefined
            ? { ShardIteratorType: 'AT_TIMESTAMP', Timestamp: new Date(position.skipTo) }
            : position.sub !== undefined
              ? { ShardIteratorType: 'AT_SEQUENCE_NUMBER', StartingSequenceNumber: position.seq }
              : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: position.seq };
    let iterator: string | undefined;
    try {
      iterator = (await this.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ...start }))).ShardIterator;
    } catch (err) {
      // A sequence number that is not of this shard, or a time Kinesis does not take: the request, not Kinesis, is wrong.
      if ((err as { name?: string })?.name === 'InvalidArgumentException') {
        throw fromCursor
          ? new FluxError('invalid-input', 'INVALID_CURSOR', `cursor: Kinesis refuses a position it holds for ${shardId}; start the tail anew`, { cause: err })
          : new FluxError('invalid-input', 'INVALID_REQUEST', 'from: Kinesis refuses to start reading at this time', { cause: err });
      }
      throw err;
    }
    let current = position;
    let took = 0;
    let stopped = false;
    let millisBehindLatest = 0;
    for (let call = 0; iterator && call < MAX_CALLS_PER_SHARD && !stopped; call++) {
      const res = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      millisBehindLatest = res.MillisBehindLatest ?? 0;
      for (const r of res.Records ?? []) {
        const seq = r.SequenceNumber ?? '0';
        const users = userRecords(r, shardId);
        for (const [i, u] of users.entries()) {
          // AT_* iterators re-read what an `after` position returned already.
          if (!isAfter(current, seq, u.subSequenceNumber)) continue;
          const record: TailRecord = {
            shardId,
            sequenceNumber: seq,
            subSequenceNumber: u.subSequenceNumber,
            partitionKey: u.partitionKey,
            arrivalTime: new Date(u.arrivalTime).toISOString(),
            data: Buffer.from(u.data).toString('base64'),
            payload: payloadOf(u.data),
          };
          if (!answer.offer(record, u.data.length)) {
            stopped = true;
            break;
          }
          took++;
          // Inside an aggregate the cursor says which of its user records come next.
          current = i === users.length - 1 ? { type: 'after', seq } : { type: 'after', seq, sub: u.subSequenceNumber };
        }
        if (stopped) break;
      }
      iterator = res.NextShardIterator;
      // At the tip, or something taken: enough for this call. (Empty pages behind the tip: read on.)
      if (took > 0 || millisBehindLatest === 0) break;
    }
    if (stopped) return current;
    // No next iterator: the shard is closed and read to its end.
    if (!iterator) return 'finished';
    return took === 0 ? skipAhead(current, millisBehindLatest, now) : current;
  }
}

const THROTTLES = new Set(['ProvisionedThroughputExceededException', 'LimitExceededException']);

function unavailable(stream: string, err: unknown): FluxError {
  // Kinesis allows 5 GetShardIterator/GetRecords calls per second per shard, shared by every reader of it.
  if (THROTTLES.has((err as { name?: string })?.name ?? '')) {
    return new FluxError('overloaded', 'TAIL_THROTTLED', `Kinesis is throttling reads of ${stream}; try again shortly`, { details: { stream, retryAfterSeconds: 1 }, cause: err });
  }
  // Kinesis's own message can name the account and ARNs: it goes to the log (the cause), never to the client.
  return new FluxError('unavailable', 'LIVE_TAIL_UNAVAILABLE', `reading the tail of ${stream} from Kinesis failed; try again shortly`, { cause: err });
}
