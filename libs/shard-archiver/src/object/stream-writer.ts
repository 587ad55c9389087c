import { randomBytes, randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { multiShardObjectKey, PageSpool, parseObjectKey, partitionOf, type ArchivePartition } from '@flux-capacitor/archive';
import { ARCHIVE_LAYOUT, type ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { wireArrivalMs, type WireRecord } from '@flux-capacitor/kinesis';
import { Logger } from '@nestjs/common';
import { IntentRecoveryError, LeaseLostError } from '../archiver.errors';
import { retry } from '../backoff';
import type { HeldLease, IntentRange, WriteIntent } from '../lease/lease.repository';
import type { ShardWorkContext } from '../shard/shard-work-context';
import { readIntentRange } from '../shard/intent-recovery';
import { ObjectBuffer } from './object-buffer';

/** What a shard consumer hears from the writer of its stream. */
export interface ShardHandle {
  lease: HeldLease;
  /** The shard's records up to `range.lastSequenceNumber` are in a committed object. */
  onCommitted(range: IntentRange, object: { key: string; bytes: number; maxArrival: number }): void;
  /** The writer found the lease lost while writing: the consumer must stop without writing more. */
  onLeaseLost(): void;
}

export interface WriterStats {
  objects: number;
  records: number;
  bytes: number;
}

const HOUR_MS = 3_600_000;
/**
 * With FLUX_ARCHIVER_SORT=partition_key, DuckDB copies an object in key order before writing it, and that copy's
 * resident memory grows with the object beyond DuckDB's own limit: `bench:archiver -- --scenario deep` peaked at 598
 * MiB (FLUX_ARCHIVER_MEMORY_MIB=512) with sorted objects of ~57 MiB, at 515 MiB with ~19 MiB. Sorted objects are cut
 * at this size whatever the size hint.
 */
export const SORTED_OBJECT_BYTES = 24 * 1024 * 1024;

/** The size a buffer is written at: the size hint, or less for objects sorted by partition key. */
export function objectBytesFor(settings: { bufferSizeBytes: number; rowOrder: string }): number {
  return settings.rowOrder === 'partition_key' ? Math.min(settings.bufferSizeBytes, SORTED_OBJECT_BYTES) : settings.bufferSizeBytes;
}

/**
 * Splits a page of one shard's records into runs of one hour each (hours since the epoch, UTC, of their arrival),
 * `[start, end)` in the page. Arrival stamps are approximate: a record a little earlier than its predecessor's hour
 * (or than `fromHour`, the hour of the shard's current buffer) stays in that hour rather than reopening an older one,
 * which would break the order objects commit in; so hours only grow along the page.
 */
export function hourRuns(records: readonly WireRecord[], fromHour?: number): { hour: number; start: number; end: number }[] {
  const runs: { hour: number; start: number; end: number }[] = [];
  let hour = fromHour ?? Number.NEGATIVE_INFINITY;
  for (let i = 0; i < records.length; i++) {
    const own = Math.floor(wireArrivalMs(records[i]) / HOUR_MS);
    if (runs.length > 0 && own <= hour) continue;
    hour = Math.max(hour, own);
    if (runs.length > 0) runs[runs.length - 1].end = i;
    runs.push({ hour, start: i, end: records.length });
  }
  return runs;
}

/**
 * Buffers the records of every shard of one stream that this instance holds and writes them as few objects: one
 * open buffer per hour (per hour and shard with FLUX_ARCHIVER_OBJECT_SCOPE=shard), written when it reaches the size
 * hint, when its oldest record reaches the interval hint, or when the instance's spool budget (disk) needs room.
 *
 * Objects are written one at a time, in the order intent -> durable object -> `archive.object.written` -> commit of
 * every shard's checkpoint, so each shard has at most one intent, and its objects commit in sequence order (a
 * buffer is written only after every buffer of an earlier hour). Reading goes on while an object is written.
 */
export class StreamWriter {
  private readonly logger = new Logger(StreamWriter.name);
  private readonly open = new Map<string, ObjectBuffer>();
  /** Sealed buffers waiting for or being written, oldest first. */
  private readonly pending: ObjectBuffer[] = [];
  private readonly opening = new Map<string, Promise<ObjectBuffer>>();
  /** The buffer each shard appends to now: a shard never returns to a buffer it left (its rows stay contiguous). */
  private readonly current = new Map<string, ObjectBuffer>();
  private readonly handles = new Map<string, ShardHandle>();
  private readonly recoveries = new Map<string, Promise<void>>();
  private queue: Promise<void> = Promise.resolve();
  private failure: unknown;
  readonly stats: WriterStats = { objects: 0, records: 0, bytes: 0 };

  constructor(
    private readonly ctx: ShardWorkContext,
    readonly stream: string,
  ) {}

  /** Throws the error that stopped this writer (every shard of the stream on this instance stops with it). */
  throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  register(handle: ShardHandle): void {
    this.handles.set(handle.lease.shardId, handle);
  }

  unregister(handle: ShardHandle): void {
    if (this.handles.get(handle.lease.shardId) === handle) this.handles.delete(handle.lease.shardId);
    this.current.delete(handle.lease.shardId);
  }

  /**
   * The largest open buffer, for the spool budget to write first; none while an object of this stream is still
   * waiting to be written: sealing more would only make smaller objects, the readers wait for that write instead.
   */
  largestOpen(): ObjectBuffer | undefined {
    if (this.pending.some((b) => b.state === 'sealed')) return undefined;
    let largest: ObjectBuffer | undefined;
    for (const b of this.open.values()) if (b.records > 0 && (!largest || b.bytes > largest.bytes)) largest = b;
    return largest;
  }

  /** Arrival time of the oldest record of `shardId` not yet in a committed object. */
  oldestPendingArrival(shardId: string): number | undefined {
    let oldest: number | undefined;
    for (const b of [...this.pending, ...this.open.values()]) {
      const r = b.ranges.get(shardId);
      if (r && (oldest === undefined || r.minArrival < oldest)) oldest = r.minArrival;
    }
    return oldest;
  }

  /**
   * Appends a page of one shard's records (in sequence order) and returns the bytes added, counted in the spool
   * budget, and when the page is on disk. `reserved`: spool bytes the caller reserved for the page; the count takes
   * from it first (and lowers it), so the page is never counted twice. Starts writing any buffer that reached the
   * size hint.
   */
  async append(
    handle: ShardHandle,
    records: readonly WireRecord[],
    reserved: { bytes: number } = { bytes: 0 },
  ): Promise<{ bytes: number; written: Promise<unknown> }> {
    let added = 0;
    const writes: Promise<void>[] = [];
    const shardId = handle.lease.shardId;
    // The page goes to the buffers in runs of records of one hour: usually one run, the page whole.
    for (const run of hourRuns(records, this.current.get(shardId)?.epochHour)) {
      const now = this.current.get(shardId);
      let buffer = now && now.epochHour === run.hour && now.state === 'open' ? now : undefined;
      while (!buffer) {
        const candidate = await this.bufferFor(run.hour, shardId);
        // sealed meanwhile (the spool budget's relief runs between two awaits): open the next one
        if (candidate.state !== 'open') continue;
        const held = candidate.ranges.get(shardId);
        // Rows of this shard under an earlier lease (dropped, or left by a consumer that ended with an error): a
        // shard has one range per object, so that object is written as it is and this lease starts a new one.
        if (held && held.lease !== handle.lease) this.seal(candidate);
        else buffer = candidate;
      }
      this.current.set(shardId, buffer);
      const { bytes, written } = buffer.add(handle.lease, records.slice(run.start, run.end));
      writes.push(written);
      const taken = Math.min(bytes, reserved.bytes);
      reserved.bytes -= taken;
      this.count(buffer, bytes, taken);
      added += bytes;
      if (buffer.bytes >= this.objectBytes) this.seal(buffer);
    }
    return { bytes: added, written: Promise.all(writes) };
  }

  /** Bytes of rows buffered and not yet committed (open, sealed and being written buffers), as the spool counts them. */
  get bufferedBytes(): number {
    let bytes = 0;
    for (const b of [...this.open.values(), ...this.pending]) bytes += b.counted;
    return bytes;
  }

  private get objectBytes(): number {
    return objectBytesFor(this.ctx.settings);
  }

  /** No shard reads into this writer and nothing is being written (open buffers may hold dropped rows). */
  get idle(): boolean {
    return this.handles.size === 0 && this.pending.length === 0;
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Counts a buffer's new rows in the spool budget, `reserved` of them already held there by the reader. */
  private count(buffer: ObjectBuffer, bytes: number, reserved = 0): void {
    buffer.counted += bytes;
    this.ctx.spool.add(bytes - reserved);
  }

  private uncount(buffer: ObjectBuffer, bytes: number): void {
    buffer.counted -= bytes;
    this.ctx.spool.release(bytes);
  }

  /** Writes every buffer whose oldest record has waited the interval hint. */
  tick(now = Date.now()): void {
    for (const b of this.open.values()) {
      if (b.records > 0 && now - b.openedAt >= this.ctx.settings.bufferIntervalMs) this.seal(b);
    }
  }

  /** Starts writing `buffer` (and, first, every open buffer of an earlier hour). */
  seal(buffer: ObjectBuffer): void {
    if (buffer.state !== 'open') return;
    for (const b of [...this.open.values()].filter((x) => x.epochHour < buffer.epochHour).sort((a, c) => a.epochHour - c.epochHour)) this.seal(b);
    this.open.delete(buffer.group);
    buffer.state = 'sealed';
    for (const [shard, b] of this.current) if (b === buffer) this.current.delete(shard);
    this.pending.push(buffer);
    this.queue = this.queue.then(() => this.write(buffer));
  }

  /**
   * Writes every buffer holding records of `shardId` (every buffer when omitted) and waits until they are
   * committed. A stopping, finished or drained shard calls it before it gives its lease back.
   */
  async settle(shardId?: string): Promise<void> {
    for (const b of [...this.open.values()]) if (shardId === undefined || b.ranges.has(shardId)) this.seal(b);
    await this.queue;
    this.throwIfFailed();
  }

  /**
   * Drops the unwritten rows of a shard whose lease was lost or whose consumer ended without settling: this
   * instance may not commit them, and the next holder reads them again from the checkpoint. They are marked here and
   * deleted when their buffer is written (no rows are appended then). Buffers already being written are left alone:
   * if their intent is recorded, it fixes the checkpoint whoever commits it; if not, the fenced intent refuses it.
   */
  dropShard(shardId: string, lease: HeldLease): void {
    if (this.current.get(shardId)?.ranges.get(shardId)?.lease === lease) this.current.delete(shardId);
    for (const b of [...this.open.values(), ...this.pending]) {
      const range = b.ranges.get(shardId);
      if (b.state !== 'writing' && range?.lease === lease) range.dropped = true;
    }
  }

  /**
   * Rewrites the object of a leftover intent (a previous holder crashed between intent and commit) with exactly
   * its ranges under its key, then commits it. Runs in this writer's order; a second call for the same key waits
   * for the first. The intent may name shards other instances hold now: reading them is harmless, and the commit
   * sets the checkpoints the intent fixed.
   */
  recover(objectKey: string): Promise<void> {
    const running = this.recoveries.get(objectKey);
    if (running) return running;
    const done = this.queue.then(() => this.recoverNow(objectKey));
    this.queue = done.catch(() => undefined);
    this.recoveries.set(objectKey, done);
    return done.finally(() => this.recoveries.delete(objectKey));
  }

  /** Discards every buffer (after the stop grace period or a failure). */
  async discardAll(): Promise<void> {
    for (const b of [...this.open.values()]) {
      this.open.delete(b.group);
      await this.discard(b);
    }
  }

  private async bufferFor(hour: number, shardId: string): Promise<ObjectBuffer> {
    const group = this.ctx.settings.objectScope === 'shard' ? `${hour}/${shardId}` : String(hour);
    for (;;) {
      const open = this.open.get(group);
      if (open) return open;
      let opening = this.opening.get(group);
      if (!opening) {
        opening = PageSpool.open(this.ctx.engine, this.ctx.tempDir, this.stream).then((spool) => {
          const b = new ObjectBuffer(this.stream, spool, partitionOf(hour * HOUR_MS), hour, group);
          this.open.set(group, b);
          return b;
        });
        this.opening.set(group, opening);
        void opening.finally(() => this.opening.delete(group)).catch(() => undefined);
      }
      const b = await opening;
      if (b.state === 'open') return b;
    }
  }

  private async write(buffer: ObjectBuffer): Promise<void> {
    // From here only this writer changes the buffer: no appends, no drops.
    buffer.state = 'writing';
    if (this.failure !== undefined) return this.discard(buffer);
    try {
      for (const [shardId, range] of [...buffer.ranges]) if (range.dropped) this.uncount(buffer, buffer.removeShard(shardId));
      const intent = await this.recordIntent(buffer);
      if (!intent) return;
      await this.writeAndCommit(buffer, intent);
    } catch (error) {
      this.failure ??= error;
      this.logger.error({ msg: 'writing archive object failed', stream: this.stream, error: error instanceof Error ? error.message : String(error) });
    } finally {
      await this.discard(buffer);
    }
  }

  /**
   * Records the buffer's intent, fenced by the lease of every shard in it. A shard whose lease turns out lost is
   * dropped from the buffer (its consumer stops) and the rest is recorded. Null when nothing is left to write.
   */
  private async recordIntent(buffer: ObjectBuffer): Promise<WriteIntent | null> {
    const key = multiShardObjectKey({ stream: this.stream, ...buffer.partition, id: `${Date.now().toString(36)}-${randomBytes(6).toString('hex')}` });
    // The stream's field columns now, recorded with the intent: a recovery rewrites the object with the same ones.
    const fields = await this.ctx.fieldColumns.forStream(this.stream);
    for (;;) {
      if (buffer.records === 0) return null;
      const ranges = buffer.shardRanges();
      const intent: WriteIntent = { stream: this.stream, objectKey: key, ranges, fields };
      try {
        await retry('record write intent', () => this.ctx.leases.recordIntent([...buffer.ranges.values()].map((r) => r.lease), intent), {
          signal: this.ctx.hardSignal,
          logger: this.logger,
          context: { stream: this.stream, key },
        });
        this.logger.debug({ msg: 'write intent recorded', stream: this.stream, key, shards: ranges.length, records: buffer.records });
        return intent;
      } catch (error) {
        if (!(error instanceof LeaseLostError)) throw error;
        this.logger.warn({ msg: 'lease lost; dropping its records from the object', stream: this.stream, shardId: error.shardId });
        const lost = buffer.ranges.get(error.shardId)?.lease;
        // Only the consumer reading under the lost lease stops (a new one may already read under a new lease).
        const handle = this.handles.get(error.shardId);
        if (handle && handle.lease === lost) handle.onLeaseLost();
        this.uncount(buffer, buffer.removeShard(error.shardId));
      }
    }
  }

  /** Object durable in the store -> announced on SQS -> checkpoints committed. Each step retried until it holds. */
  private async writeAndCommit(buffer: ObjectBuffer, intent: WriteIntent): Promise<void> {
    const started = Date.now();
    const path = join(this.ctx.tempDir, `${randomUUID()}.parquet`);
    const opts = { signal: this.ctx.hardSignal, logger: this.logger, context: { stream: this.stream, key: intent.objectKey } };
    try {
      const { fields } = intent;
      const { bytes } = await buffer.spool.writeTo(path, intent.ranges, fields, this.ctx.settings.rowOrder);
      await retry('write archive object', () => this.ctx.store.put(intent.objectKey, path), opts);
      const payload: ArchiveObjectWritten = {
        objectUri: this.ctx.store.uri(intent.objectKey),
        stream: this.stream,
        layout: ARCHIVE_LAYOUT,
        shards: intent.ranges,
        ...(fields.length > 0 ? { fields } : {}),
        firstArrivalTime: new Date(buffer.minArrival).toISOString(),
        lastArrivalTime: new Date(buffer.maxArrival).toISOString(),
        dt: buffer.partition.dt,
        hour: buffer.partition.hour,
        recordCount: buffer.records,
        bytes,
      };
      await retry('publish archive.object.written', () => this.ctx.publisher.publish('archive.object.written', payload), opts);
      const committed = await retry('commit checkpoints', () => this.ctx.leases.commitIntent(this.stream, intent.objectKey), opts);
      // Another instance recovering this intent committed it first: the same object, counted once, by it.
      if (committed.length === 0) return;
      this.stats.objects++;
      this.stats.records += buffer.records;
      this.stats.bytes += bytes;
      const m = this.ctx.metrics;
      m.objects.inc({ stream: this.stream });
      m.objectBytes.inc({ stream: this.stream }, bytes);
      for (const range of committed) {
        const r = buffer.ranges.get(range.shardId);
        const labels = { stream: this.stream, shard: range.shardId };
        m.records.inc(labels, range.recordCount);
        if (r) {
          m.bytes.inc(labels, r.bytes);
          m.lastArrival.set(labels, r.maxArrival / 1000);
        }
        this.handles.get(range.shardId)?.onCommitted(range, { key: intent.objectKey, bytes, maxArrival: r?.maxArrival ?? buffer.maxArrival });
      }
      this.logger.log({
        msg: 'archive object committed',
        stream: this.stream,
        key: intent.objectKey,
        shards: intent.ranges.length,
        records: buffer.records,
        bytes,
        durationMs: Date.now() - started,
      });
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  private async recoverNow(objectKey: string): Promise<void> {
    const intent = await retry('load write intent', () => this.ctx.leases.loadIntent(this.stream, objectKey), {
      signal: this.ctx.hardSignal,
      logger: this.logger,
    });
    if (!intent) return; // committed meanwhile, by its writer or another recovery
    const name = parseObjectKey(objectKey);
    if (!name) throw new IntentRecoveryError(`intent of ${this.stream} has a malformed key ${objectKey}`);
    this.logger.log({ msg: 'recovering write intent', stream: this.stream, key: objectKey, shards: intent.ranges.map((r) => r.shardId) });
    const partition: ArchivePartition = { dt: name.dt, hour: name.hour };
    const epochHour = Math.floor(Date.parse(`${name.dt}T${String(name.hour).padStart(2, '0')}:00:00Z`) / HOUR_MS);
    const buffer = new ObjectBuffer(this.stream, await PageSpool.open(this.ctx.engine, this.ctx.tempDir, this.stream), partition, epochHour, `recovery:${objectKey}`);
    buffer.state = 'writing';
    try {
      for (const range of intent.ranges) {
        try {
          await readIntentRange(
            { kinesis: this.ctx.kinesis, getRecordsLimit: this.ctx.settings.getRecordsLimit, logger: this.logger, signal: this.ctx.hardSignal },
            buffer,
            this.stream,
            objectKey,
            range,
          );
        } finally {
          this.count(buffer, buffer.bytes - buffer.counted);
        }
      }
      await this.writeAndCommit(buffer, intent);
    } finally {
      await this.discard(buffer);
    }
  }

  private async discard(buffer: ObjectBuffer): Promise<void> {
    const i = this.pending.indexOf(buffer);
    if (i >= 0) this.pending.splice(i, 1);
    this.uncount(buffer, buffer.counted);
    await buffer.spool.discard().catch(() => undefined);
  }
}
