import { Logger } from '@nestjs/common';
import { AbortedError, sleep, wireArrivalMs, WireShardReader, type StartPosition, type WireRecord } from '@flux-capacitor/kinesis';
import { LeaseLostError } from '../archiver.errors';
import { retry } from '../backoff';
import type { HeldLease, IntentRange, ShardLeaseRow } from '../lease/lease.repository';
import type { ShardHandle, StreamWriter } from '../object/stream-writer';
import type { ShardWorkContext } from './shard-work-context';

export type ShardRunOutcome = 'finished' | 'drained' | 'stopped' | 'lease-lost' | 'aborted';

export interface ShardRunResult {
  stream: string;
  shardId: string;
  outcome: ShardRunOutcome;
  /** user records of this shard committed during the run */
  records: number;
  /** objects holding records of this shard committed during the run */
  objects: number;
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
 * A page is held about twice over while it arrives and is read (socket chunks and the joined body), plus ~220 bytes
 * per record that scanGetRecords reads in place (1.55x the body after reading for 1 KiB records, 2.3x for 100-byte
 * ones): its memory reservation counts three times the body, and once it is buffered, the body alone until its file
 * is written. (It was four when JSON.parse copied every record's base64 out of the body's text: 3.9-4.0x.)
 */
const PAGE_OVERHEAD = 3;
const MIN_PAGE_BYTES = 64 * 1024;
/** GetRecords returns at most 10 MiB. */
const MAX_PAGE_BYTES = 10 * 1024 * 1024;

/**
 * Reads one leased shard into the writer of its stream, which buffers it with the other shards' records and
 * commits its checkpoint with each object. Before reading, recovers a leftover write intent of the shard. Every
 * GetRecords call first reserves room for its page in the instance's memory budget and for its rows in the spool
 * budget (disk), so a full budget of either stops the reading.
 */
export class ShardConsumer implements ShardHandle {
  private readonly logger = new Logger(ShardConsumer.name);
  private readonly soft = new AbortController();
  private checkpoint: string | null;
  private millisBehindLatest = 0;
  private leaseLost = false;
  /** Every row this consumer buffered is committed (it settled before ending). */
  private settled = false;
  private records = 0;
  private objects = 0;
  /** Bytes of one record (with its key and sequence number) on this shard, as last seen. */
  private recordBytes = 1024;
  /** Bytes of one record in a GetRecords response (base64 and JSON) on this shard, as last seen. */
  private pageBytes = 1536;
  private readonly labels: { stream: string; shard: string };

  constructor(
    private readonly ctx: ShardWorkContext,
    private readonly writer: StreamWriter,
    readonly lease: HeldLease,
    private readonly row: ShardLeaseRow,
    /** Drain mode (`--once`): stop once caught up with the tip, or at the first record that arrived after `drainUntil`. */
    private readonly drain?: { until: number },
  ) {
    this.checkpoint = row.checkpoint;
    this.labels = { stream: lease.stream, shard: lease.shardId };
  }

  /** Graceful stop: the shard's buffered records are written and committed, then the lease is released. */
  stop(): void {
    this.soft.abort();
  }

  /** The lease was taken over: stop at once; the shard's unwritten records are dropped. */
  onLeaseLost(): void {
    this.leaseLost = true;
    this.soft.abort();
  }

  onCommitted(range: IntentRange): void {
    this.checkpoint = range.lastSequenceNumber;
    this.records += range.recordCount;
    this.objects += 1;
  }

  status(): ShardStatus {
    const oldest = this.writer.oldestPendingArrival(this.lease.shardId);
    const bufferAge = oldest === undefined ? 0 : Date.now() - oldest;
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
    const { settings, memory, spool } = this.ctx;
    const opts = { signal: this.ctx.hardSignal, logger: this.logger, context: this.labels };
    this.writer.register(this);
    memory.readers++;
    try {
      const intentKey = await retry('load write intent', () => this.ctx.leases.intentKeyOf(this.lease.stream, this.lease.shardId), opts);
      if (intentKey) await this.writer.recover(intentKey);
      // Read the checkpoint now, not the one the lease came with: an intent naming this shard may have been committed
      // since by another instance (its writer or a recovery), and with no intent left the checkpoint is final.
      this.checkpoint = await retry('read checkpoint', () => this.ctx.leases.checkpointOf(this.lease.stream, this.lease.shardId), opts);

      const reader = new WireShardReader(this.ctx.kinesis, this.lease.stream, this.lease.shardId, this.startPosition(), {
        limit: settings.getRecordsLimit,
        logger: this.logger,
        signal: this.soft.signal,
        onThrottle: () => this.ctx.metrics.throttles.inc(this.labels),
        prefetch: false,
      });
      let caughtUpBefore = false;
      for (;;) {
        if (this.soft.signal.aborted) return await this.stopped();
        this.writer.throwIfFailed();
        const limit = this.pageLimit();
        // Rows of the page in the spool budget: handed to the writer as it counts them (whatever it does not take is
        // given back below), so no page is counted twice.
        const rows = { bytes: limit * this.recordBytes };
        // The page in memory: reserved before the call at PAGE_OVERHEAD times its expected body, raised to its actual
        // body once it came, and held at its body alone from when it is buffered until its file is written.
        let pageMemory = PAGE_OVERHEAD * limit * this.pageBytes;
        try {
          await spool.acquire(rows.bytes, this.soft.signal);
        } catch (error) {
          if (error instanceof AbortedError) continue;
          throw error;
        }
        try {
          await memory.acquire(pageMemory, this.soft.signal);
        } catch (error) {
          spool.release(rows.bytes);
          if (error instanceof AbortedError) continue;
          throw error;
        }
        let written: Promise<unknown> | undefined;
        let bodyBytes = 0;
        let page: WireRecord[];
        let millisBehindLatest: number;
        let ended: boolean;
        let added = 0;
        let reachedTip = false;
        try {
          const batch = await reader.next(limit);
          ({ millisBehindLatest, ended } = batch);
          page = batch.records;
          bodyBytes = batch.body.byteLength;
          if (PAGE_OVERHEAD * bodyBytes > pageMemory) {
            memory.add(PAGE_OVERHEAD * bodyBytes - pageMemory);
            pageMemory = PAGE_OVERHEAD * bodyBytes;
          }
          if (page.length > 0) this.pageBytes = Math.max(64, Math.ceil(bodyBytes / page.length));
          if (this.drain) {
            const tip = page.findIndex((r) => wireArrivalMs(r) >= this.drain!.until);
            if (tip >= 0) {
              reachedTip = true;
              page = page.slice(0, tip);
            }
          }
          ({ bytes: added, written } = await this.writer.append(this, page, rows));
        } catch (error) {
          if (error instanceof AbortedError && !this.ctx.hardSignal.aborted) continue; // stopping: settle at the top
          throw error;
        } finally {
          spool.release(rows.bytes);
          if (written) {
            // buffered: the page's parse is over, its body (or its records as JSON) stays until its file is written
            const held = Math.min(pageMemory, bodyBytes);
            memory.release(pageMemory - held);
            void written.finally(() => memory.release(held));
          } else {
            memory.release(pageMemory);
          }
        }
        if (page.length > 0) this.recordBytes = Math.max(64, Math.ceil(added / page.length));
        this.millisBehindLatest = millisBehindLatest;
        this.ctx.metrics.behindLatest.set(this.labels, millisBehindLatest / 1000);
        this.ctx.metrics.oldestUnarchivedAge.set(this.labels, this.status().oldestUnarchivedAgeMs / 1000);
        this.writer.tick();
        if (ended && !reachedTip) {
          await this.writer.settle(this.lease.shardId);
          if (this.leaseLost) return this.result('lease-lost');
          this.settled = true;
          await retry('finish shard', () => this.ctx.leases.finish(this.lease), opts);
          this.logger.log({ msg: 'shard fully archived', ...this.labels, checkpoint: this.checkpoint });
          return this.result('finished');
        }
        const caughtUp = page.length === 0 && millisBehindLatest === 0;
        // A closed shard may answer one empty, caught-up page before the page that says it ended (kinesalite does,
        // when the shard closed more than a second after its last record). A drain that stopped there would leave
        // the shard unfinished and its children unread, so it stops at the second caught-up page in a row.
        if (this.drain && (reachedTip || (caughtUp && caughtUpBefore))) {
          await this.writer.settle(this.lease.shardId);
          if (this.leaseLost) return this.result('lease-lost');
          this.settled = true;
          await this.ctx.leases.release(this.lease).catch(() => undefined);
          return this.result('drained');
        }
        caughtUpBefore = caughtUp;
        // A drain asks once more at the shard's rate limit rather than idling: it ends as soon as it can.
        if (caughtUp) await sleep(this.drain ? 200 : settings.idleMs, this.soft.signal).catch(() => undefined);
      }
    } catch (error) {
      if (error instanceof LeaseLostError || this.leaseLost) {
        this.logger.warn({ msg: 'lease lost; stopping without writing', ...this.labels });
        return this.result('lease-lost');
      }
      if (error instanceof AbortedError) return this.result('aborted');
      throw error;
    } finally {
      memory.readers--;
      // Rows this consumer buffered but did not see committed are not this instance's to commit any more.
      if (!this.settled) this.writer.dropShard(this.lease.shardId, this.lease);
      this.writer.unregister(this);
    }
  }

  /**
   * Records to ask for: a page fits in an equal share of the memory budget among the shards reading (with room for
   * the body of the shard's previous page, whose file may still be being written), so many shards read small pages
   * and few shards large ones; and in a quarter of the spool budget. (Against Kinesis, pages of a few hundred KiB
   * already reach a shard's 2 MB/s read limit at 5 calls per second; larger pages matter when catching up.)
   */
  private pageLimit(): number {
    const { memory, spool } = this.ctx;
    const share = memory.capacity / (PAGE_OVERHEAD + 1) / Math.max(1, memory.readers);
    const body = Math.min(MAX_PAGE_BYTES, Math.max(MIN_PAGE_BYTES, share));
    const limit = Math.min(Math.floor(body / this.pageBytes), Math.floor(spool.capacity / 4 / this.recordBytes));
    return Math.max(1, Math.min(this.ctx.settings.getRecordsLimit, limit));
  }

  /** Graceful stop: write and commit what this shard has buffered, then give the lease back. */
  private async stopped(): Promise<ShardRunResult> {
    if (this.leaseLost) return this.result('lease-lost');
    await this.writer.settle(this.lease.shardId);
    if (this.leaseLost) return this.result('lease-lost');
    this.settled = true;
    await this.ctx.leases.release(this.lease).catch(() => undefined);
    return this.result('stopped');
  }
}
