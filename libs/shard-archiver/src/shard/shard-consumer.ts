import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { KinesisClient, _Record } from '@aws-sdk/client-kinesis';
import { archiveObjectKey, partitionOf, type ArchiveStore, type ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiverConfig } from '@flux-capacitor/config';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { Logger } from '@nestjs/common';
import { LeaseLostError } from '../archiver.errors';
import type { ArchiverMetrics } from '../archiver.metrics';
import { AbortedError, ShardReader, sleep, type StartPosition } from '@flux-capacitor/kinesis';
import { retry } from '../backoff';
import type { HeldLease, LeaseRepository, ShardLeaseRow, WriteIntent } from '../lease/lease.repository';
import { readIntentRange } from './intent-recovery';
import { ShardBuffer } from './shard-buffer';

/** Where `archive.object.written` goes: SqsPublisher in the services, a fake in unit tests. */
export interface ArchiveEventPublisher {
  publish(type: 'archive.object.written', payload: ArchiveObjectWritten): Promise<unknown>;
}

export interface ShardWorkContext {
  kinesis: KinesisClient;
  store: ArchiveStore;
  engine: ParquetEngine;
  leases: LeaseRepository;
  publisher: ArchiveEventPublisher;
  metrics: ArchiverMetrics;
  settings: ArchiverConfig;
  tempDir: string;
}

export type ShardRunOutcome = 'finished' | 'drained' | 'stopped' | 'lease-lost' | 'aborted';

export interface ShardRunResult {
  stream: string;
  shardId: string;
  outcome: ShardRunOutcome;
  records: number;
  objects: number;
  bytes: number;
  /** Checkpoint after the run. */
  lastSequenceNumber: string | null;
}

export interface ShardStatus {
  stream: string;
  shardId: string;
  lastSequenceNumber: string | null;
  millisBehindLatest: number;
  oldestUnarchivedAgeMs: number;
  records: number;
  objects: number;
}

/**
 * Archives one leased shard: reads it, buffers rows per hour, and flushes objects in the commit order
 * intent -> durable object -> `archive.object.written` -> checkpoint. Recovers a leftover intent first by rewriting
 * exactly its range under the same key.
 */
export class ShardConsumer {
  private readonly logger = new Logger(ShardConsumer.name);
  private readonly soft = new AbortController();
  private readonly hard = new AbortController();
  private buffer: ShardBuffer | undefined;
  /** The previous buffer while it is written and committed; reading goes on meanwhile (one flush in flight). */
  private flushing: { buffer: ShardBuffer; done: Promise<void>; error?: unknown } | undefined;
  private checkpoint: string | null;
  private millisBehindLatest = 0;
  private leaseLost = false;
  private records = 0;
  private objects = 0;
  private bytes = 0;
  private readonly labels: { stream: string; shard: string };

  constructor(
    private readonly ctx: ShardWorkContext,
    readonly lease: HeldLease,
    private readonly row: ShardLeaseRow,
    /** Drain mode (`--once`): stop once caught up with the tip, or at the first record that arrived after `drainUntil`. */
    private readonly drain?: { until: number },
  ) {
    this.checkpoint = row.checkpoint;
    this.labels = { stream: lease.stream, shard: lease.shardId };
  }

  /** Graceful stop: flush what is buffered, commit, release the lease. `graceMs` later, give up. */
  stop(graceMs: number): void {
    this.soft.abort();
    setTimeout(() => this.hard.abort(), graceMs).unref();
  }

  /** The lease was taken over: stop at once and write nothing more. */
  abortLeaseLost(): void {
    this.leaseLost = true;
    this.soft.abort();
    this.hard.abort();
  }

  status(): ShardStatus {
    const oldest = Math.min(this.flushing?.buffer.minArrival ?? Infinity, this.buffer?.records ? this.buffer.minArrival : Infinity);
    const bufferAge = Number.isFinite(oldest) ? Date.now() - oldest : 0;
    return {
      stream: this.lease.stream,
      shardId: this.lease.shardId,
      lastSequenceNumber: this.checkpoint,
      millisBehindLatest: this.millisBehindLatest,
      oldestUnarchivedAgeMs: Math.max(bufferAge, this.millisBehindLatest),
      records: this.records,
      objects: this.objects,
    };
  }

  private result(outcome: ShardRunOutcome): ShardRunResult {
    return {
      stream: this.lease.stream,
      shardId: this.lease.shardId,
      outcome,
      records: this.records,
      objects: this.objects,
      bytes: this.bytes,
      lastSequenceNumber: this.checkpoint,
    };
  }

  private startPosition(): StartPosition {
    if (this.checkpoint) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.checkpoint };
    if (this.row.initialPosition === 'AT_TIMESTAMP' && this.row.initialTimestamp) {
      return { type: 'AT_TIMESTAMP', timestamp: this.row.initialTimestamp };
    }
    return { type: this.row.initialPosition === 'LATEST' ? 'LATEST' : 'TRIM_HORIZON' };
  }

  async run(): Promise<ShardRunResult> {
    const { settings } = this.ctx;
    try {
      const intent = await retry('load write intent', () => this.ctx.leases.loadIntent(this.lease.stream, this.lease.shardId), {
        signal: this.hard.signal,
        logger: this.logger,
      });
      if (intent) await this.recover(intent);

      const reader = new ShardReader(this.ctx.kinesis, this.lease.stream, this.lease.shardId, this.startPosition(), {
        limit: settings.getRecordsLimit,
        logger: this.logger,
        signal: this.soft.signal,
        onThrottle: () => this.ctx.metrics.throttles.inc(this.labels),
        prefetch: false,
      });
      let caughtUpBefore = false;
      for (;;) {
        if (this.soft.signal.aborted) {
          if (this.leaseLost) return this.result('lease-lost');
          await this.settle();
          await this.ctx.leases.release(this.lease).catch(() => undefined);
          return this.result('stopped');
        }
        if (this.flushing?.error !== undefined) throw this.flushing.error;
        const batch = await reader.next();
        let reachedTip = false;
        for (const record of batch.records) {
          if (this.drain && record.ApproximateArrivalTimestamp!.getTime() >= this.drain.until) {
            reachedTip = true;
            break;
          }
          await this.append(record);
        }
        this.millisBehindLatest = batch.millisBehindLatest;
        this.ctx.metrics.millisBehind.set(this.labels, batch.millisBehindLatest);
        this.ctx.metrics.oldestUnarchivedAge.set(this.labels, this.status().oldestUnarchivedAgeMs / 1000);
        if (this.buffer && Date.now() - this.buffer.openedAt >= settings.bufferIntervalMs) await this.flush();
        if (batch.ended && !reachedTip) {
          await this.settle();
          await retry('finish shard', () => this.ctx.leases.finish(this.lease), { signal: this.hard.signal, logger: this.logger });
          this.logger.log({ msg: 'shard fully archived', stream: this.lease.stream, shardId: this.lease.shardId, checkpoint: this.checkpoint });
          return this.result('finished');
        }
        const caughtUp = batch.records.length === 0 && batch.millisBehindLatest === 0;
        // A closed shard may answer one empty, caught-up page before the page that says it ended (kinesalite does,
        // when the shard closed more than a second after its last record). A drain that stopped there would leave
        // the shard unfinished and its children unread, so it stops at the second caught-up page in a row.
        if (this.drain && (reachedTip || (caughtUp && caughtUpBefore))) {
          await this.settle();
          await this.ctx.leases.release(this.lease).catch(() => undefined);
          return this.result('drained');
        }
        caughtUpBefore = caughtUp;
        if (caughtUp) await sleep(settings.idleMs, this.soft.signal);
      }
    } catch (error) {
      if (error instanceof LeaseLostError || this.leaseLost) {
        this.logger.warn({ msg: 'lease lost; stopping without writing', stream: this.lease.stream, shardId: this.lease.shardId });
        return this.result('lease-lost');
      }
      if (error instanceof AbortedError) return this.result('aborted');
      throw error;
    } finally {
      await this.flushing?.done.catch(() => undefined);
      await this.buffer?.batch.discard().catch(() => undefined);
      this.buffer = undefined;
    }
  }

  private async append(record: _Record): Promise<void> {
    const arrival = record.ApproximateArrivalTimestamp!.getTime();
    // An object never straddles an hour. (Comparing hour numbers is cheaper than formatting a partition per record.)
    const hour = Math.floor(arrival / 3_600_000);
    if (this.buffer && this.buffer.epochHour !== hour) await this.flush();
    if (!this.buffer) this.buffer = new ShardBuffer(await this.ctx.engine.openBatch(), partitionOf(arrival));
    this.buffer.add(this.lease.stream, this.lease.shardId, record);
    if (this.buffer.batch.size >= this.ctx.settings.bufferSizeBytes) await this.flush();
  }

  /**
   * Hands the buffer to the writer and returns once the previous object is committed, so reading continues while
   * this one is written. Objects of a shard are still written and committed one after another, in order: there is
   * at most one intent per shard.
   */
  private async flush(): Promise<void> {
    const buffer = this.buffer;
    if (!buffer) return;
    this.buffer = undefined;
    if (buffer.records === 0) {
      await buffer.batch.discard();
      return;
    }
    await this.waitForFlushing();
    const flushing: NonNullable<ShardConsumer['flushing']> = { buffer, done: this.write(buffer) };
    flushing.done.catch((error: unknown) => (flushing.error = error));
    this.flushing = flushing;
  }

  /** Flushes the buffer and waits until every object is committed. */
  private async settle(): Promise<void> {
    await this.flush();
    await this.waitForFlushing();
  }

  private async waitForFlushing(): Promise<void> {
    const previous = this.flushing;
    if (!previous) return;
    await previous.done;
    if (this.flushing === previous) this.flushing = undefined;
  }

  /** Writes one buffer as one object, in the commit order. The range is recorded before anything is written. */
  private async write(buffer: ShardBuffer): Promise<void> {
    try {
      const intent: WriteIntent = {
        firstSequenceNumber: buffer.firstSequenceNumber,
        lastSequenceNumber: buffer.lastSequenceNumber,
        objectKey: archiveObjectKey({
          stream: this.lease.stream,
          shardId: this.lease.shardId,
          ...buffer.partition,
          firstSequenceNumber: buffer.firstSequenceNumber,
          lastSequenceNumber: buffer.lastSequenceNumber,
        }),
        recordCount: buffer.records,
      };
      await retry('record write intent', () => this.ctx.leases.recordIntent(this.lease, intent), {
        signal: this.hard.signal,
        logger: this.logger,
        context: this.labels,
      });
      this.logger.debug({ msg: 'write intent recorded', ...this.labels, key: intent.objectKey, records: intent.recordCount });
      await this.writeAndCommit(buffer, intent);
    } finally {
      await buffer.batch.discard();
    }
  }

  /** Object durable in the store -> announced on SQS -> checkpoint committed. Each step retried until it holds. */
  private async writeAndCommit(buffer: ShardBuffer, intent: WriteIntent): Promise<void> {
    const started = Date.now();
    const path = join(this.ctx.tempDir, `${randomUUID()}.parquet`);
    const opts = { signal: this.hard.signal, logger: this.logger, context: { ...this.labels, key: intent.objectKey } };
    try {
      const { bytes } = await buffer.batch.writeTo(path);
      await retry('write archive object', () => this.ctx.store.put(intent.objectKey, path), opts);
      const payload: ArchiveObjectWritten = {
        objectUri: this.ctx.store.uri(intent.objectKey),
        stream: this.lease.stream,
        layout: 1,
        shards: [{ shardId: this.lease.shardId, firstSequenceNumber: intent.firstSequenceNumber, lastSequenceNumber: intent.lastSequenceNumber, recordCount: buffer.records }],
        firstArrivalTime: new Date(buffer.minArrival).toISOString(),
        lastArrivalTime: new Date(buffer.maxArrival).toISOString(),
        dt: buffer.partition.dt,
        hour: buffer.partition.hour,
        recordCount: buffer.records,
        bytes,
      };
      await retry('publish archive.object.written', () => this.ctx.publisher.publish('archive.object.written', payload), opts);
      await retry('commit checkpoint', () => this.ctx.leases.commit(this.lease, intent.lastSequenceNumber), opts);
      this.checkpoint = intent.lastSequenceNumber;
      this.records += buffer.records;
      this.objects += 1;
      this.bytes += bytes;
      const m = this.ctx.metrics;
      m.records.inc(this.labels, buffer.records);
      m.bytes.inc(this.labels, buffer.dataBytes);
      m.objects.inc(this.labels);
      m.lastArrival.set(this.labels, buffer.maxArrival / 1000);
      this.logger.log({
        msg: 'archive object committed',
        ...this.labels,
        key: intent.objectKey,
        records: buffer.records,
        bytes,
        durationMs: Date.now() - started,
      });
    } finally {
      await unlink(path).catch(() => undefined);
    }
  }

  /** Rewrites the object of a leftover intent (see `readIntentRange`), then commits it like any other. */
  private async recover(intent: WriteIntent): Promise<void> {
    this.logger.log({ msg: 'recovering write intent', ...this.labels, key: intent.objectKey });
    const buffer = await readIntentRange(
      { kinesis: this.ctx.kinesis, engine: this.ctx.engine, getRecordsLimit: this.ctx.settings.getRecordsLimit, logger: this.logger, signal: this.hard.signal },
      this.lease,
      intent,
    );
    try {
      await this.writeAndCommit(buffer, intent);
    } finally {
      await buffer.batch.discard();
    }
  }
}
