import { performance } from 'node:perf_hooks';
import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import { AbortedError, backoffDelay } from './backoff';
import { StreamNotFoundError } from './kinesis.errors';
import { listShards, ShardRouter } from './shards';
import { TokenBucket } from './token-bucket';

export interface WriteRecord {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
  /** the caller's id for this record, handed back in acks */
  ordinal: number;
}

export interface WriteAck {
  record: WriteRecord;
  shardId: string;
  sequenceNumber: string;
}

export interface WriteRejection {
  record: WriteRecord;
  errorCode: string;
  message: string;
}

export interface KinesisWriterOptions {
  stream: string;
  /** default 500 (PutRecords limit) */
  maxBatchRecords?: number;
  /** default 5 MiB (PutRecords limit); data + partition key bytes are counted */
  maxBatchBytes?: number;
  /** default 1 MiB: data + partition key bytes of one record; larger records are rejected without a call */
  maxRecordBytes?: number;
  /** default 1000 (Kinesis per-shard write limit) */
  shardRecordsPerSecond?: number;
  /** default 1 MiB (Kinesis per-shard write limit) */
  shardBytesPerSecond?: number;
  /** default 0.2: share of each target shard's capacity left to live producers (0..0.95) */
  reserveShare?: number;
  /** optional overall cap (records/s across all shards) */
  recordsPerSecond?: number;
  /** default 4 concurrent PutRecords calls */
  maxInFlightBatches?: number;
  /** default 5000: how many queued records the batcher may look past a blocked key (and how many write() buffers) */
  lookahead?: number;
  signal?: AbortSignal;
  /** Nest Logger-compatible */
  logger?: { warn(o: object): void; log(o: object): void };
  /** called once per PutRecords response with the records Kinesis accepted */
  onAck?: (acks: WriteAck[]) => void;
  /** records that can never succeed (too large, invalid, KMS errors): not retried */
  onReject?: (rejections: WriteRejection[]) => void;
}

export interface KinesisWriterStats {
  /** records Kinesis accepted */
  put: number;
  rejected: number;
  /** entries Kinesis (or a throttled call) refused for throughput */
  throttled: number;
  /** entries queued again after a failed entry or call */
  retried: number;
  /** PutRecords calls made */
  calls: number;
  /** records buffered and not in flight (including those waiting out a backoff) */
  queued: number;
  /** records in PutRecords calls that have not answered yet */
  inFlight: number;
}

const MiB = 1024 * 1024;
/** Entry error codes worth another try; every other code (KMS configuration, access) can never succeed. */
const RETRYABLE_ENTRY_CODES = new Set(['ProvisionedThroughputExceededException', 'InternalFailure', 'KMSThrottlingException']);
const THROTTLED_CALL_ERRORS = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'KMSThrottlingException',
  'TooManyRequestsException',
]);
/** A call refused for one bad record: the batch is retried record by record to find it. */
const INVALID_CALL_ERRORS = new Set(['ValidationException', 'InvalidArgumentException']);
const RATE_FLOOR = 0.01;
const RECOVERY_PER_SECOND = 0.05;
/** Throttling answers to calls already under way report the same overload: halve at most once per Kinesis' 1 s window. */
const DECREASE_INTERVAL_MS = 1000;
const RETRY_BASE_MS = 100;
const RETRY_MAX_MS = 5000;

type KeyState = 'idle' | 'ready' | 'inflight' | 'waiting';

interface Entry {
  record: WriteRecord;
  queue: KeyQueue;
  shard: ShardState;
  bytes: number;
  attempts: number;
  /** sent alone, to find the record that made a whole call invalid */
  solo: boolean;
}

/** The unacknowledged records of one partition key, oldest first; only the head is ever in flight. */
interface KeyQueue {
  key: string;
  entries: (Entry | undefined)[];
  head: number;
  state: KeyState;
}

interface ShardState {
  id: string;
  nominalRecords: number;
  nominalBytes: number;
  records: TokenBucket;
  bytes: TokenBucket;
  /** AIMD share of the nominal rate, RATE_FLOOR..1 */
  factor: number;
  lastThrottleAt: number;
  lastDecreaseAt: number;
  adjustedAt: number;
  /** keys whose head record targets this shard and may be sent */
  ready: Fifo<KeyQueue>;
}

/** Array-backed FIFO with O(1) push/shift. */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  peek(): T | undefined {
    return this.items[this.head];
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * Writes records to one stream with PutRecords as fast as Kinesis allows, keeping each partition key's order.
 *
 * Safety model, enforced line by line below:
 * 1. Per-key order. Each partition key has one queue of its unacknowledged records; only the queue's head is ever
 *    sent, so at most one record per key is in flight in any batch. The head leaves the queue only when Kinesis
 *    acknowledged it (or it was rejected for good). A head that failed — entry code
 *    ProvisionedThroughputExceededException/InternalFailure, or a whole call that failed retryably (throttling,
 *    network, 5xx) — stays at the head and is sent again before anything behind it, so a retry can never overtake a
 *    later record of its key. Different keys are independent: the batcher takes any key whose head may go (all
 *    buffered records, at most `lookahead`, are in view), so a blocked key does not hold up the others.
 * 2. Limits. A call carries at most maxBatchRecords records and maxBatchBytes (data + partition key) bytes. Each
 *    target shard (ShardRouter.shardFor) has a records and a bytes token bucket at (1 - reserveShare) of the shard
 *    limits with one second of burst; an optional overall records bucket caps the whole writer.
 * 3. AIMD. Throttled entries of a shard halve its rate (at most once a second, never below 1 % of nominal); the rate
 *    grows back by 5 % of nominal per second without throttling. Retried entries wait a jittered exponential delay
 *    by their attempt count; a failed call also pauses the writer with a jittered delay by the failure streak.
 * 4. Nothing is lost. Every written record ends in exactly one onAck or onReject call, unless flush() rejects
 *    because the signal aborted or a call failed in a way no retry can fix (missing stream, access denied); then
 *    the records not yet acknowledged stay unacknowledged and the writer refuses further writes.
 * Kinesis itself is at least once: a call that timed out on the client may have been written and is sent again.
 */
export class KinesisWriter {
  private readonly maxBatchRecords: number;
  private readonly maxBatchBytes: number;
  private readonly maxRecordBytes: number;
  private readonly maxInFlightBatches: number;
  private readonly lookahead: number;
  private readonly shards: ShardState[];
  private readonly shardById = new Map<string, ShardState>();
  private readonly overall?: TokenBucket;
  private readonly keys = new Map<string, KeyQueue>();
  /** keys whose head must go alone (after a whole call was refused as invalid) */
  private readonly solo = new Fifo<KeyQueue>();
  private readyKeys = 0;
  private queued = 0;
  private inFlightRecords = 0;
  private inFlightCalls = 0;
  private nextShard = 0;
  private pausedUntil = 0;
  private callFailures = 0;
  private pumpScheduled = false;
  private wakeTimer?: NodeJS.Timeout;
  private wakeDue = Infinity;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private failure?: Error;
  private roomWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private flushWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private readonly counts = { put: 0, rejected: 0, throttled: 0, retried: 0, calls: 0 };
  private readonly onAbort = () => this.fail(new AbortedError(`KinesisWriter for ${this.options.stream}`));

  private constructor(
    private readonly kinesis: KinesisClient,
    private readonly options: KinesisWriterOptions,
    readonly router: ShardRouter,
  ) {
    this.maxBatchRecords = positive('maxBatchRecords', options.maxBatchRecords ?? 500);
    this.maxBatchBytes = positive('maxBatchBytes', options.maxBatchBytes ?? 5 * MiB);
    this.maxRecordBytes = positive('maxRecordBytes', options.maxRecordBytes ?? MiB);
    this.maxInFlightBatches = positive('maxInFlightBatches', options.maxInFlightBatches ?? 4);
    this.lookahead = positive('lookahead', options.lookahead ?? 5000);
    const reserve = options.reserveShare ?? 0.2;
    if (!(reserve >= 0 && reserve <= 0.95)) throw new RangeError(`reserveShare must be within 0..0.95, got ${reserve}`);
    const nominalRecords = positive('shardRecordsPerSecond', options.shardRecordsPerSecond ?? 1000) * (1 - reserve);
    const nominalBytes = positive('shardBytesPerSecond', options.shardBytesPerSecond ?? MiB) * (1 - reserve);
    const now = performance.now();
    if (options.recordsPerSecond !== undefined) this.overall = new TokenBucket(positive('recordsPerSecond', options.recordsPerSecond), now);
    this.shards = router.shardIds.map((id) => ({
      id,
      nominalRecords,
      nominalBytes,
      records: new TokenBucket(nominalRecords, now),
      bytes: new TokenBucket(nominalBytes, now),
      factor: 1,
      lastThrottleAt: -Infinity,
      lastDecreaseAt: -Infinity,
      adjustedAt: now,
      ready: new Fifo<KeyQueue>(),
    }));
    for (const s of this.shards) this.shardById.set(s.id, s);
    if (options.signal?.aborted) this.onAbort();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Lists the stream's shards for routing and per-shard limits; StreamNotFoundError if the stream is missing. */
  static async open(kinesis: KinesisClient, options: KinesisWriterOptions): Promise<KinesisWriter> {
    const router = new ShardRouter(await listShards(kinesis, options.stream));
    if (router.shardIds.length === 0) throw new Error(`Kinesis stream "${options.stream}" has no open shard to write to`);
    const writer = new KinesisWriter(kinesis, options, router);
    options.logger?.log({ msg: 'Kinesis writer opened', stream: options.stream, shards: router.shardIds.length });
    return writer;
  }

  /** Enqueues a record; resolves once the buffer has room again (at most `lookahead` records wait to be sent). */
  write(record: WriteRecord): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const bytes = record.data.byteLength + Buffer.byteLength(record.partitionKey, 'utf8');
    const invalid =
      record.partitionKey.length < 1 || record.partitionKey.length > 256
        ? `partition key must have 1 to 256 characters, has ${record.partitionKey.length}`
        : bytes > this.maxRecordBytes
          ? `record of ${bytes} bytes (data + partition key) exceeds the ${this.maxRecordBytes} bytes Kinesis accepts`
          : undefined;
    if (invalid) {
      this.reject([{ record, errorCode: 'ValidationException', message: invalid }]);
      return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    }
    let shard: ShardState | undefined;
    try {
      shard = this.shardById.get(this.router.shardFor(record.partitionKey, record.explicitHashKey));
    } catch (error) {
      this.reject([{ record, errorCode: 'InvalidArgumentException', message: `cannot route record: ${String(error)}` }]);
      return this.failure ? Promise.reject(this.failure) : Promise.resolve();
    }
    if (!shard) throw new Error(`internal: ShardRouter routed to a shard the writer does not know`);
    let queue = this.keys.get(record.partitionKey);
    if (!queue) {
      queue = { key: record.partitionKey, entries: [], head: 0, state: 'idle' };
      this.keys.set(record.partitionKey, queue);
    }
    queue.entries.push({ record, queue, shard, bytes, attempts: 0, solo: false });
    this.queued++;
    if (queue.state === 'idle') this.makeReady(queue);
    this.schedulePump();
    if (this.queued < this.lookahead) return Promise.resolve();
    return new Promise((resolve, reject) => this.roomWaiters.push({ resolve, reject }));
  }

  /** Resolves when every written record was acked or rejected; rejects if aborted or on a non-retryable call error. */
  flush(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.queued + this.inFlightRecords === 0) return Promise.resolve();
    this.schedulePump();
    return new Promise((resolve, reject) => this.flushWaiters.push({ resolve, reject }));
  }

  stats(): KinesisWriterStats {
    return { ...this.counts, queued: this.queued, inFlight: this.inFlightRecords };
  }

  /** The write rate a shard is held to now (records/s), after throttling feedback. */
  shardRate(shardId: string): number | undefined {
    return this.shardById.get(shardId)?.records.ratePerSecond;
  }

  // --- scheduling ---------------------------------------------------------------------------------------------------

  private head(queue: KeyQueue): Entry {
    const entry = queue.entries[queue.head];
    if (!entry) throw new Error(`internal: key ${queue.key} has no record to send`);
    return entry;
  }

  /** The key's head may be sent: queue it where the batcher looks (its shard, or alone). */
  private makeReady(queue: KeyQueue): void {
    queue.state = 'ready';
    const head = this.head(queue);
    (head.solo ? this.solo : head.shard.ready).push(queue);
    this.readyKeys++;
  }

  /** The key's head is done (acked or rejected): the next record of the key may go. */
  private advance(queue: KeyQueue): void {
    // The head left `queued` when it was sent; only the queue moves on.
    queue.entries[queue.head++] = undefined;
    if (queue.head >= queue.entries.length) {
      queue.state = 'idle';
      this.keys.delete(queue.key);
      return;
    }
    if (queue.head > 64 && queue.head * 2 > queue.entries.length) {
      queue.entries = queue.entries.slice(queue.head);
      queue.head = 0;
    }
    this.makeReady(queue);
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // Let the caller's synchronous burst of writes land first, so batches fill.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private wakeIn(ms: number): void {
    const due = performance.now() + ms;
    if (this.wakeTimer && this.wakeDue <= due) return;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeDue = due;
    this.wakeTimer = setTimeout(
      () => {
        this.wakeTimer = undefined;
        this.wakeDue = Infinity;
        this.pump();
      },
      Math.max(1, Math.ceil(ms)),
    );
  }

  private pump(): void {
    while (!this.failure && this.inFlightCalls < this.maxInFlightBatches && this.readyKeys > 0) {
      const now = performance.now();
      if (now < this.pausedUntil) return this.wakeIn(this.pausedUntil - now);
      const { batch, waitMs } = this.buildBatch(now);
      if (batch.length === 0) return Number.isFinite(waitMs) ? this.wakeIn(waitMs) : undefined;
      void this.send(batch);
    }
  }

  /** Takes the heads of ready keys, shard by shard (starting at a rotating shard), while tokens and limits allow. */
  private buildBatch(now: number): { batch: Entry[]; waitMs: number } {
    const lone = this.solo.shift();
    if (lone) {
      this.readyKeys--;
      lone.state = 'inflight';
      const entry = this.head(lone);
      this.takeTokens(entry, now);
      return { batch: [entry], waitMs: 0 };
    }
    const batch: Entry[] = [];
    let batchBytes = 0;
    let waitMs = Infinity;
    let full = false;
    for (let i = 0; i < this.shards.length && !full; i++) {
      const shard = this.shards[(this.nextShard + i) % this.shards.length];
      if (shard.ready.size === 0) continue;
      this.recover(shard, now);
      for (let queue = shard.ready.peek(); queue; queue = shard.ready.peek()) {
        const entry = this.head(queue);
        if (batch.length >= this.maxBatchRecords || (batch.length > 0 && batchBytes + entry.bytes > this.maxBatchBytes)) {
          full = true;
          break;
        }
        const blocked =
          !shard.records.canTake(1, now) || !shard.bytes.canTake(entry.bytes, now) || (this.overall !== undefined && !this.overall.canTake(1, now));
        if (blocked) {
          // Wake when about a tenth of a second's worth can go, not for every single token: fewer, fuller calls.
          const want = Math.max(1, Math.min(shard.ready.size, this.maxBatchRecords, Math.ceil(shard.records.capacity / 10)));
          const overallWant = this.overall ? Math.max(1, Math.min(want, Math.ceil(this.overall.capacity / 10))) : 0;
          const wait = Math.max(
            shard.records.msUntil(want, now),
            shard.bytes.msUntil(entry.bytes, now),
            this.overall?.msUntil(overallWant, now) ?? 0,
          );
          waitMs = Math.min(waitMs, Math.max(1, wait));
          break;
        }
        this.takeTokens(entry, now);
        shard.ready.shift();
        this.readyKeys--;
        queue.state = 'inflight';
        batch.push(entry);
        batchBytes += entry.bytes;
      }
    }
    this.nextShard = (this.nextShard + 1) % this.shards.length;
    return { batch, waitMs };
  }

  private takeTokens(entry: Entry, now: number): void {
    entry.shard.records.take(1, now);
    entry.shard.bytes.take(entry.bytes, now);
    this.overall?.take(1, now);
  }

  // --- AIMD ---------------------------------------------------------------------------------------------------------

  private throttledShard(shard: ShardState, now: number): void {
    shard.lastThrottleAt = now;
    if (now - shard.lastDecreaseAt < DECREASE_INTERVAL_MS || shard.factor <= RATE_FLOOR) return;
    shard.lastDecreaseAt = now;
    shard.adjustedAt = now;
    shard.factor = Math.max(RATE_FLOOR, shard.factor / 2);
    this.applyRate(shard, now);
    this.options.logger?.warn({
      msg: 'Kinesis throttled writes to a shard; halving its write rate',
      stream: this.options.stream,
      shardId: shard.id,
      recordsPerSecond: Math.round(shard.records.ratePerSecond),
      bytesPerSecond: Math.round(shard.bytes.ratePerSecond),
    });
  }

  private recover(shard: ShardState, now: number): void {
    if (shard.factor >= 1) return;
    const since = Math.max(shard.adjustedAt, shard.lastThrottleAt + 1000);
    if (now <= since) return;
    shard.factor = Math.min(1, shard.factor + (RECOVERY_PER_SECOND * (now - since)) / 1000);
    shard.adjustedAt = now;
    this.applyRate(shard, now);
  }

  private applyRate(shard: ShardState, now: number): void {
    shard.records.setRate(shard.nominalRecords * shard.factor, now);
    shard.bytes.setRate(shard.nominalBytes * shard.factor, now);
  }

  // --- calls --------------------------------------------------------------------------------------------------------

  private async send(batch: Entry[]): Promise<void> {
    this.inFlightCalls++;
    this.inFlightRecords += batch.length;
    this.queued -= batch.length;
    this.counts.calls++;
    this.wakeRoomWaiters();
    let output: PutRecordsCommandOutput | undefined;
    let error: unknown;
    try {
      output = await this.kinesis.send(
        new PutRecordsCommand({
          StreamName: this.options.stream,
          Records: batch.map((e) => ({ PartitionKey: e.record.partitionKey, Data: e.record.data, ExplicitHashKey: e.record.explicitHashKey })),
        }),
        { abortSignal: this.options.signal },
      );
    } catch (e) {
      error = e;
    }
    this.inFlightCalls--;
    this.inFlightRecords -= batch.length;
    if (output) this.handleOutput(batch, output);
    else this.handleCallError(batch, error);
    this.settle();
    this.pump();
  }

  private handleOutput(batch: Entry[], output: PutRecordsCommandOutput): void {
    const now = performance.now();
    this.callFailures = 0;
    const acks: WriteAck[] = [];
    const rejections: WriteRejection[] = [];
    const retries: Entry[] = [];
    const throttled = new Set<ShardState>();
    batch.forEach((entry, i) => {
      const result = output.Records?.[i];
      if (result && !result.ErrorCode && result.SequenceNumber) {
        acks.push({ record: entry.record, shardId: result.ShardId ?? entry.shard.id, sequenceNumber: result.SequenceNumber });
        this.advance(entry.queue);
      } else if (!result || RETRYABLE_ENTRY_CODES.has(result.ErrorCode ?? 'InternalFailure')) {
        retries.push(entry);
        if (result?.ErrorCode === 'ProvisionedThroughputExceededException' || result?.ErrorCode === 'KMSThrottlingException') {
          this.counts.throttled++;
          throttled.add(entry.shard);
        }
      } else {
        const errorCode = result.ErrorCode ?? 'UnknownError';
        rejections.push({ record: entry.record, errorCode, message: result.ErrorMessage ?? errorCode });
        this.advance(entry.queue);
      }
    });
    for (const shard of throttled) this.throttledShard(shard, now);
    if (retries.length > 0) this.retryLater(retries);
    this.counts.put += acks.length;
    if (acks.length > 0) this.callback(() => this.options.onAck?.(acks));
    if (rejections.length > 0) this.reject(rejections);
  }

  private handleCallError(batch: Entry[], error: unknown): void {
    if (this.failure) return; // aborted or failed already: what was in flight stays unacknowledged
    const name = (error as { name?: string })?.name ?? 'Error';
    const message = error instanceof Error ? error.message : String(error);
    if (INVALID_CALL_ERRORS.has(name)) {
      if (batch.length === 1) {
        this.advance(batch[0].queue);
        this.reject([{ record: batch[0].record, errorCode: name, message }]);
        return;
      }
      // One record made the whole call invalid: send each alone to find it; the others still go.
      this.options.logger?.warn({ msg: 'Kinesis refused a PutRecords call as invalid; retrying its records one by one', stream: this.options.stream, records: batch.length, error: `${name}: ${message}` });
      this.queued += batch.length;
      this.counts.retried += batch.length;
      for (const entry of batch) {
        entry.solo = true;
        this.makeReady(entry.queue);
      }
      return;
    }
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    const fault = (error as { $fault?: string })?.$fault;
    const throttled = THROTTLED_CALL_ERRORS.has(name) || status === 429;
    // No HTTP status: the call never got an answer (connection refused/reset, timeout).
    const retryable = throttled || fault === 'server' || (status !== undefined && status >= 500) || status === undefined;
    if (!retryable) {
      this.fail(name === 'ResourceNotFoundException' ? new StreamNotFoundError(this.options.stream, { cause: error }) : asError(error));
      return;
    }
    const now = performance.now();
    if (throttled) {
      this.counts.throttled += batch.length;
      for (const shard of new Set(batch.map((e) => e.shard))) this.throttledShard(shard, now);
    }
    const pauseMs = backoffDelay(this.callFailures++, RETRY_BASE_MS, RETRY_MAX_MS);
    this.pausedUntil = Math.max(this.pausedUntil, now + pauseMs);
    this.options.logger?.warn({
      msg: 'PutRecords failed; retrying its records',
      stream: this.options.stream,
      records: batch.length,
      failures: this.callFailures,
      retryInMs: pauseMs,
      error: `${name}: ${message}`,
    });
    this.retryLater(batch);
  }

  /** The entries stay at the head of their keys (nothing behind them is sent) until they have waited their backoff. */
  private retryLater(entries: Entry[]): void {
    if (this.failure) return; // stopped: they stay unacknowledged
    let attempt = 0;
    for (const entry of entries) {
      entry.queue.state = 'waiting';
      attempt = Math.max(attempt, entry.attempts++);
    }
    this.queued += entries.length;
    this.counts.retried += entries.length;
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      if (this.failure) return;
      for (const entry of entries) this.makeReady(entry.queue);
      this.pump();
    }, backoffDelay(attempt, RETRY_BASE_MS, RETRY_MAX_MS));
    this.retryTimers.add(timer);
  }

  // --- outcomes -----------------------------------------------------------------------------------------------------

  private reject(rejections: WriteRejection[]): void {
    this.counts.rejected += rejections.length;
    this.callback(() => this.options.onReject?.(rejections));
  }

  /** A throwing callback is the caller's bug; it stops the writer rather than being swallowed. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.fail(asError(error));
    }
  }

  private wakeRoomWaiters(): void {
    if (this.queued >= this.lookahead || this.roomWaiters.length === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private settle(): void {
    this.wakeRoomWaiters();
    if (this.queued + this.inFlightRecords > 0 || this.flushWaiters.length === 0) return;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    for (const w of waiters) w.resolve();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
    if (!(error instanceof AbortedError)) {
      this.options.logger?.warn({ msg: 'Kinesis writer stopped', stream: this.options.stream, error: `${error.name}: ${error.message}` });
    }
    for (const w of [...this.roomWaiters, ...this.flushWaiters]) w.reject(error);
    this.roomWaiters = [];
    this.flushWaiters = [];
  }
}

function positive(name: string, value: number): number {
  if (!(value > 0) || !Number.isFinite(value)) throw new RangeError(`KinesisWriter option ${name} must be a positive number, got ${value}`);
  return value;
}

const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
