import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  ResourceNotFoundException,
  type KinesisClient,
  type ListShardsCommandInput,
} from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore, ParquetEngine, type ArchiveStore } from '@flux-capacitor/archive';
import type { EmfWriter } from '@flux-capacitor/aws';
import { CloudWatchMetrics } from '@flux-capacitor/contracts';
import type { FluxConfig } from '@flux-capacitor/config';
import { Logger } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { StreamNotFoundError, sleep } from '@flux-capacitor/kinesis';
import type { DataSource } from 'typeorm';
import { ArchiveRunError } from './archiver.errors';
import { archiverStatus, retentionWarnings, type ShardHealth } from './archiver.health';
import { ArchiverMetrics } from './archiver.metrics';
import { leasesToTake } from './lease/fair-share';
import { LeaseRepository, readableShards, type HeldLease, type ShardDescription, type ShardLeaseRow } from './lease/lease.repository';
import { ByteBudget, COPY_MEMORY_BYTES, pageBudgetBytes } from './budget/byte-budget';
import { CatalogSchemaSource, FieldColumnChoices } from './object/field-column-choice';
import { StreamWriter } from './object/stream-writer';
import { ShardConsumer, type ShardRunResult } from './shard/shard-consumer';
import { createTempFolder } from './temp-folder';
import type { ArchiveEventPublisher, ShardWorkContext } from './shard/shard-work-context';

export interface ArchiverDependencies {
  config: FluxConfig;
  kinesis: KinesisClient;
  /** Needed when the archive is on S3. */
  s3?: S3Client;
  publisher: ArchiveEventPublisher;
  /** The process's one TypeORM data source, for leases and checkpoints (the caller owns and destroys it). */
  dataSource: DataSource;
  registry?: Registry;
  /** CloudWatch embedded-metric-format output (FLUX_METRICS_EMF); the service passes it, one-off runs do not. */
  emf?: EmfWriter;
}

export interface ArchiveRunSummary {
  stream: string;
  records: number;
  /** objects written (an object may hold several shards) */
  objects: number;
  /** bytes of the objects written */
  bytes: number;
  shards: { shardId: string; outcome: ShardRunResult['outcome']; records: number; objects: number; lastSequenceNumber: string | null }[];
  /** Shards another live archiver holds; left to it. */
  skipped: string[];
  durationMs: number;
}

export interface ArchiverHealth {
  status: 'up' | 'degraded' | 'down';
  workerId: string;
  /** the instance's memory budget for GetRecords pages, and what it holds now */
  memory: BudgetHealth;
  /** the instance's disk budget for buffered rows (FLUX_ARCHIVER_SPOOL_MIB), and what it holds now */
  spool: BudgetHealth & {
    /** of usedBytes, the rows buffered (the rest is reserved for pages being read) */
    bufferedBytes: number;
  };
  shards: ShardHealth[];
  errors: Record<string, string>;
  warnings: string[];
}

export interface BudgetHealth {
  budgetBytes: number;
  usedBytes: number;
  peakBytes: number;
  /** reservations that had to wait since start */
  waits: number;
  /** bytes given back beyond what was held since start: not 0 means an accounting bug (the budget then lets more in) */
  overReleasedBytes: number;
}

const budgetHealth = (b: ByteBudget): BudgetHealth => ({ budgetBytes: b.capacity, usedBytes: b.usedBytes, peakBytes: b.peakBytes, waits: b.waits, overReleasedBytes: b.overReleasedBytes });

interface Running {
  consumer: ShardConsumer;
  done: Promise<ShardRunResult | undefined>;
}

/** How long a stop or a drain's end waits for a lease heartbeat in flight (heartbeatsDone). */
const HEARTBEAT_WAIT_MS = 5_000;
const SYNC_EVERY_MS = 30_000;
/** What an embedded DuckDB occupies before it holds any rows. */
const DUCKDB_RUNTIME_BYTES = 24 * 1024 * 1024;
/** How often buffers are checked against the interval hint (also when no shard is reading). */
const TICK_MS = 1_000;
const DRAIN_CLOCK_SKEW_MS = 30_000;
/**
 * How often the lag goes to CloudWatch: twice per 1-minute alarm period, so that a period is never empty while the
 * instance holds shards (the alarm treats missing data as breaching).
 */
const EMF_EVERY_MS = 30_000;

/**
 * One archiver instance: takes shard leases for its streams, runs a ShardConsumer per leased shard, renews the
 * leases every heartbeat and takes over expired ones. `start()` runs continuously (the service); `runOnce()` drains
 * a stream up to the tip seen at start (`fluxcap archive --once`).
 */
export class Archiver {
  private readonly logger = new Logger(Archiver.name);
  readonly workerId: string;
  private readonly leases: LeaseRepository;
  private readonly metrics: ArchiverMetrics;
  private readonly running = new Map<string, Running>();
  /** Consumers stopping to hand their shard to another instance (rebalancing). */
  private readonly handingOver = new WeakSet<ShardConsumer>();
  private ticker: NodeJS.Timeout | undefined;
  /** budget waits already added to the counters */
  private readonly waitsCounted = { memory: 0, spool: 0 };
  private emfTimer: NodeJS.Timeout | undefined;
  private readonly lastSync = new Map<string, number>();
  private readonly retentionHours = new Map<string, number>();
  private readonly errors = new Map<string, string>();
  private readonly warned = new Set<string>();
  private streams: string[] = [];
  private loop: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private readonly hard: AbortController;
  private heartbeat: NodeJS.Timeout | undefined;
  /** Heartbeats in flight: a drain or close waits for them, so none runs on after the caller closes the database. */
  private readonly renewing = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(
    private readonly deps: ArchiverDependencies,
    private readonly ctx: ShardWorkContext,
    private readonly tempDir: string,
    hard: AbortController,
    /** One writer per stream, shared with the spool budget's relief. */
    private readonly writers: Map<string, StreamWriter>,
  ) {
    this.hard = hard;
    this.workerId = deps.config.archiver.workerId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.leases = ctx.leases;
    this.metrics = ctx.metrics;
  }

  /**
   * `options.pageBudgetBytes` sets the bytes of GetRecords pages the instance may hold directly, instead of deriving
   * them from FLUX_ARCHIVER_MEMORY_MIB and the process's own size (tests run inside a larger process).
   */
  static async create(deps: ArchiverDependencies, options: { store?: ArchiveStore; pageBudgetBytes?: number } = {}): Promise<Archiver> {
    const settings = deps.config.archiver;
    const { path: tempDir, swept } = createTempFolder(settings.tempDir ?? tmpdir());
    if (swept.length > 0) new Logger(Archiver.name).log({ msg: 'deleted temp folders of archivers that no longer run', folders: swept });
    // One DuckDB thread: compression must not starve the reading (the process is mostly I/O and per-record work).
    // Memory: the process itself (measured now, before any record is held), DuckDB writing an object (a fixed limit:
    // its rows come from page files, not from memory), and GetRecords pages, which get the rest. Buffered rows wait in
    // the temp folder as the pages they came in (PageSpool), within the spool budget.
    const pageBytes = options.pageBudgetBytes ?? pageBudgetBytes(settings.memoryBytes, process.memoryUsage().rss + DUCKDB_RUNTIME_BYTES);
    const engine = await ParquetEngine.create({
      threads: 1,
      memoryLimit: `${COPY_MEMORY_BYTES / 1024 / 1024}MB`,
      tempDirectory: join(tempDir, 'duckdb'),
    });
    const hard = new AbortController();
    const writers = new Map<string, StreamWriter>();
    // A full spool writes the largest open buffer of any stream: the one that frees the most room.
    const spool = new ByteBudget(settings.spoolBytes, () => {
      let best: { writer: StreamWriter; bytes: number } | undefined;
      for (const writer of writers.values()) {
        const bytes = writer.largestOpen()?.bytes ?? 0;
        if (bytes > 0 && (!best || bytes > best.bytes)) best = { writer, bytes };
      }
      if (best) best.writer.seal(best.writer.largestOpen()!);
    });
    const metrics = new ArchiverMetrics(deps.registry);
    const ctx: ShardWorkContext = {
      kinesis: deps.kinesis,
      store: options.store ?? createArchiveStore(deps.config.archive, deps.s3),
      engine,
      leases: new LeaseRepository(deps.dataSource),
      publisher: deps.publisher,
      metrics,
      settings,
      tempDir,
      memory: new ByteBudget(pageBytes),
      spool,
      fieldColumns: new FieldColumnChoices(new CatalogSchemaSource(deps.dataSource), settings.fieldColumns, metrics),
      hardSignal: hard.signal,
    };
    ctx.metrics.memoryBudget.set(pageBytes);
    ctx.metrics.spoolBudget.set(settings.spoolBytes);
    return new Archiver(deps, ctx, tempDir, hard, writers);
  }

  /** Archives `streams` continuously until `stop()`. */
  start(streams: string[] = this.deps.config.archiver.streams): void {
    if (this.loop) throw new Error('archiver already started');
    if (streams.length === 0) throw new Error('no streams to archive (set FLUX_ARCHIVER_STREAMS)');
    this.streams = streams;
    const mib = (n: number) => Math.round(n / 1024 / 1024);
    this.logger.log({ msg: 'archiver starting', workerId: this.workerId, streams, pageBudgetMiB: mib(this.ctx.memory.capacity), spoolBudgetMiB: mib(this.ctx.spool.capacity) });
    this.startHeartbeat();
    this.loop = (async () => {
      while (!this.stopping.signal.aborted) {
        for (const stream of this.streams) await this.balance(stream);
        this.checkRetention();
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          void sleep(this.deps.config.archiver.leaseHeartbeatMs, this.stopping.signal).then(resolve);
        });
      }
    })();
  }

  /** Writes and commits what is buffered, releases the leases. After `graceMs`, in-flight writes are abandoned. */
  async stop(graceMs = this.deps.config.shutdownGraceMs): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopping.abort();
    this.wake?.();
    await this.loop;
    const grace = setTimeout(() => this.hard.abort(), graceMs);
    grace.unref();
    const all = [...this.running.values()];
    for (const r of all) r.consumer.stop();
    await Promise.all(all.map((r) => r.done));
    // Buffers of shards that ended with an error; their records are read again by the next holder.
    await Promise.all([...this.writers.values()].map((w) => w.settle().catch(() => w.discardAll())));
    clearTimeout(grace);
    this.stopTimers();
    await this.heartbeatsDone();
    this.ctx.engine.close();
    rmSync(this.tempDir, { recursive: true, force: true });
    this.logger.log({ msg: 'archiver stopped', workerId: this.workerId });
  }

  /**
   * Drains every shard of `stream` up to the tip seen now, flushes, commits and returns a summary. Closed parents
   * are drained before their children. Shards leased by another live archiver are skipped and listed.
   */
  async runOnce(stream: string): Promise<ArchiveRunSummary> {
    const started = Date.now();
    // Drain until caught up with the tip. To end even while producers keep writing, also stop at records that
    // arrived after the start, with a margin for skew between this clock and Kinesis' arrival stamps.
    const until = started + DRAIN_CLOCK_SKEW_MS;
    await this.syncStream(stream);
    this.startHeartbeat();
    const results: ShardRunResult[] = [];
    const before = { ...this.writerFor(stream).stats };
    const attempted = new Set<string>();
    const skipped = new Set<string>();
    try {
      for (;;) {
        const rows = await this.leases.list(stream);
        const todo = readableShards(rows).filter((r) => !attempted.has(r.shardId));
        if (todo.length === 0) break;
        const runs: Promise<ShardRunResult | undefined>[] = [];
        for (const row of todo) {
          attempted.add(row.shardId);
          const acquired = await this.leases.acquire(stream, row.shardId, this.workerId, this.deps.config.archiver.leaseDurationMs);
          if (!acquired) {
            skipped.add(row.shardId);
            continue;
          }
          runs.push(this.launch(acquired.lease, acquired.row, { until }));
        }
        const done = await Promise.all(runs);
        results.push(...done.filter((r): r is ShardRunResult => r !== undefined));
        if (runs.length === 0) break;
      }
    } finally {
      this.stopTimers();
      await this.heartbeatsDone();
    }
    const failed = [...this.errors].filter(([key]) => key === stream || key.startsWith(`${stream}/`));
    if (failed.length > 0) throw failed.length === 1 && failed[0][0] === stream ? new StreamNotFoundError(stream) : new ArchiveRunError(stream, Object.fromEntries(failed));
    const after = this.writerFor(stream).stats;
    return {
      stream,
      records: results.reduce((n, r) => n + r.records, 0),
      objects: after.objects - before.objects,
      bytes: after.bytes - before.bytes,
      shards: results
        .map((r) => ({ shardId: r.shardId, outcome: r.outcome, records: r.records, objects: r.objects, lastSequenceNumber: r.lastSequenceNumber }))
        .sort((a, b) => a.shardId.localeCompare(b.shardId)),
      skipped: [...skipped].sort(),
      durationMs: Date.now() - started,
    };
  }

  /** Releases resources of an archiver used only for `runOnce`. */
  async close(): Promise<void> {
    if (this.loop) return this.stop();
    if (this.closed) return;
    this.closed = true;
    this.stopTimers();
    await this.heartbeatsDone();
    for (const w of this.writers.values()) await w.discardAll();
    this.ctx.engine.close();
    rmSync(this.tempDir, { recursive: true, force: true });
  }

  health(): ArchiverHealth {
    const shards = [...this.running.values()].map((r) => {
      const s = r.consumer.status();
      return { ...s, retentionHours: this.retentionHours.get(s.stream) };
    });
    const warnings = retentionWarnings(shards);
    const errors = Object.fromEntries(this.errors);
    const memory = budgetHealth(this.ctx.memory);
    const spool = { ...budgetHealth(this.ctx.spool), bufferedBytes: [...this.writers.values()].reduce((n, w) => n + w.bufferedBytes, 0) };
    return { status: archiverStatus(errors, warnings), workerId: this.workerId, memory, spool, shards, errors, warnings };
  }

  /** The writer of a stream's objects on this instance, shared by every shard of it this instance holds. */
  private writerFor(stream: string): StreamWriter {
    let writer = this.writers.get(stream);
    // A writer that failed stops the stream's shards on this instance; once they all ended, start afresh (their
    // records are read again from the checkpoints).
    if (writer?.failed && writer.idle) {
      void writer.discardAll();
      writer = undefined;
    }
    if (!writer) {
      writer = new StreamWriter(this.ctx, stream);
      this.writers.set(stream, writer);
      // Choose the stream's field columns while its first buffer fills (a failed read is logged, never thrown).
      void this.ctx.fieldColumns.refresh(stream);
    }
    return writer;
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      const renewing = this.renewAll().finally(() => this.renewing.delete(renewing));
      this.renewing.add(renewing);
    }, this.deps.config.archiver.leaseHeartbeatMs);
    this.heartbeat.unref();
    // The interval hint holds even for buffers no shard appends to any more (a quiet or finished shard).
    this.ticker = setInterval(() => {
      for (const w of this.writers.values()) w.tick();
      const m = this.ctx.metrics;
      m.memoryUsed.set(this.ctx.memory.usedBytes);
      m.spoolUsed.set(this.ctx.spool.usedBytes);
      // the budgets count waits since start; the counters take the difference
      const { memory, spool } = this.ctx;
      if (memory.waits > this.waitsCounted.memory) m.memoryWaits.inc(memory.waits - this.waitsCounted.memory);
      if (spool.waits > this.waitsCounted.spool) m.spoolWaits.inc(spool.waits - this.waitsCounted.spool);
      this.waitsCounted.memory = memory.waits;
      this.waitsCounted.spool = spool.waits;
      if (Logger.isLevelEnabled('debug')) {
        const mib = (n: number) => Math.round(n / 1048576);
        const u = process.memoryUsage();
        void this.ctx.engine.memoryUsage().then((duckdb) =>
          this.logger.debug({ msg: 'memory (MiB)', rss: mib(u.rss), heapUsed: mib(u.heapUsed), heapTotal: mib(u.heapTotal), external: mib(u.external), arrayBuffers: mib(u.arrayBuffers), duckdb: mib(duckdb), pages: mib(this.ctx.memory.usedBytes), spool: mib(this.ctx.spool.usedBytes) }),
        ).catch(() => undefined);
      }
    }, TICK_MS);
    this.ticker.unref();
    if (this.deps.emf?.enabled) {
      this.emfTimer = setInterval(() => this.emitLag(), EMF_EVERY_MS);
      this.emfTimer.unref();
    }
  }

  /** Waits for the heartbeats in flight, at most HEARTBEAT_WAIT_MS: a database that hangs must not hold up a stop. */
  private async heartbeatsDone(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.renewing), new Promise((resolve) => (timer = setTimeout(resolve, HEARTBEAT_WAIT_MS)))]);
    clearTimeout(timer);
  }

  private stopTimers(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.ticker) clearInterval(this.ticker);
    if (this.emfTimer) clearInterval(this.emfTimer);
    this.heartbeat = undefined;
    this.ticker = undefined;
    this.emfTimer = undefined;
  }

  /** Per stream, the oldest unarchived record's age (s) over the shards this instance holds. */
  oldestUnarchivedAgeByStream(): Map<string, number> {
    const ages = new Map<string, number>();
    for (const { consumer } of this.running.values()) {
      const seconds = consumer.status().oldestUnarchivedAgeMs / 1000;
      ages.set(consumer.lease.stream, Math.max(ages.get(consumer.lease.stream) ?? 0, seconds));
    }
    return ages;
  }

  /**
   * One EMF line per stream this instance holds shards of, published with the `Stream` dimension and without one
   * (CloudWatch's Maximum over every line and instance is then the service-wide lag). An instance holding no shard
   * writes nothing: were every instance unable to hold one, the alarm sees missing data, which it treats as breaching.
   */
  emitLag(): void {
    for (const [stream, seconds] of this.oldestUnarchivedAgeByStream()) {
      this.deps.emf?.emit({ metric: CloudWatchMetrics.ArchiverOldestUnarchivedAge, value: seconds, dimensions: { Stream: stream }, alsoWithoutDimensions: true });
    }
  }

  private async renewAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async ({ consumer }) => {
        try {
          const { millisBehindLatest, oldestUnarchivedAgeMs } = consumer.status();
          const status = { millisBehindLatest, oldestUnarchivedAgeMs, retentionHours: this.retentionHours.get(consumer.lease.stream) ?? null };
          const outcome = await this.leases.renew(consumer.lease, this.deps.config.archiver.leaseDurationMs, status);
          if (outcome === 'lost') consumer.onLeaseLost();
          else if (outcome === 'hand-off') this.handOver(consumer);
        } catch (error) {
          // Postgres unreachable: keep working; commits are fenced, and the lease may expire and move.
          this.logger.warn({ msg: 'lease renewal failed', stream: consumer.lease.stream, shardId: consumer.lease.shardId, error: String(error) });
        }
      }),
    );
  }

  /**
   * Another instance below its fair share asked for this shard: stop its consumer gracefully (its buffered rows are
   * written and their checkpoint committed), which then releases the lease, reserved for the one that asked. Only a
   * running service hands over; a drain (`--once`) finishes what it started.
   */
  private handOver(consumer: ShardConsumer): void {
    if (!this.loop || this.stopping.signal.aborted || this.handingOver.has(consumer)) return;
    this.handingOver.add(consumer);
    const { stream, shardId } = consumer.lease;
    this.logger.log({ msg: 'handing lease over', stream, shardId, workerId: this.workerId });
    this.metrics.handoffsGiven.inc({ stream });
    consumer.stop();
  }

  private launch(lease: HeldLease, row: ShardLeaseRow, drain?: { until: number }): Promise<ShardRunResult | undefined> {
    const consumer = new ShardConsumer(this.ctx, this.writerFor(lease.stream), lease, row, drain);
    const key = `${lease.stream}/${lease.shardId}`;
    this.logger.log({ msg: 'lease taken', stream: lease.stream, shardId: lease.shardId, workerId: this.workerId, counter: lease.counter });
    const done = consumer
      .run()
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        this.logger.error({ msg: 'shard archiving failed', stream: lease.stream, shardId: lease.shardId, error: message });
        if (error instanceof StreamNotFoundError) this.errors.set(lease.stream, message);
        else this.errors.set(key, message);
        return undefined;
      })
      .finally(() => {
        this.running.delete(key);
        // A finished parent may have made children readable: look again now rather than at the next heartbeat.
        this.wake?.();
      });
    this.running.set(key, { consumer, done });
    return done;
  }

  /**
   * Registers new shards, then takes free or expired leases up to this instance's fair share, and asks busier
   * instances to hand over live ones when that is not enough (`leasesToTake`).
   */
  private async balance(stream: string): Promise<void> {
    const settings = this.deps.config.archiver;
    try {
      if (Date.now() - (this.lastSync.get(stream) ?? 0) >= SYNC_EVERY_MS) await this.syncStream(stream);
      const running = new Set([...this.running.values()].filter((r) => r.consumer.lease.stream === stream).map((r) => r.consumer.lease.shardId));
      const plan = leasesToTake({
        workerId: this.workerId,
        rows: await this.leases.list(stream),
        running,
        runningTotal: this.running.size,
        maxShards: settings.maxShards,
        stopping: this.stopping.signal.aborted,
      });
      let room = plan.room;
      for (const row of plan.candidates) {
        if (room <= 0 || this.stopping.signal.aborted) break;
        const acquired = await this.leases.acquire(stream, row.shardId, this.workerId, settings.leaseDurationMs);
        if (!acquired) continue;
        if (row.owner && row.owner !== this.workerId) {
          this.logger.warn({ msg: 'took over expired lease', stream, shardId: row.shardId, previousOwner: row.owner });
        }
        void this.launch(acquired.lease, acquired.row);
        room--;
      }
      // Not enough free leases: ask busier instances to hand some over; they come at a later round, reserved for us.
      for (const row of plan.handoffs) {
        if (this.stopping.signal.aborted) break;
        if (await this.leases.requestHandoff(stream, row.shardId, row.owner!, this.workerId, settings.leaseDurationMs)) {
          this.logger.log({ msg: 'asked for a lease', stream, shardId: row.shardId, holder: row.owner, workerId: this.workerId });
          this.metrics.handoffsAsked.inc({ stream });
        }
      }
      this.errors.delete(stream);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (this.errors.get(stream) !== message) this.logger.error({ msg: 'archiving stream failed', stream, error: message });
      this.errors.set(stream, message);
    }
  }

  private async syncStream(stream: string): Promise<void> {
    const shards: ShardDescription[] = [];
    try {
      const summary = await this.deps.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      this.retentionHours.set(stream, summary.StreamDescriptionSummary?.RetentionPeriodHours ?? 24);
      let input: ListShardsCommandInput = { StreamName: stream };
      for (;;) {
        const page = await this.deps.kinesis.send(new ListShardsCommand(input));
        for (const s of page.Shards ?? []) {
          shards.push({
            shardId: s.ShardId!,
            parentShardIds: [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => Boolean(p)),
            closed: Boolean(s.SequenceNumberRange?.EndingSequenceNumber),
          });
        }
        if (!page.NextToken) break;
        input = { NextToken: page.NextToken };
      }
    } catch (error) {
      if (error instanceof ResourceNotFoundException || (error as { name?: string })?.name === 'ResourceNotFoundException') {
        throw new StreamNotFoundError(stream, { cause: error });
      }
      throw error;
    }
    const added = await this.leases.syncShards(stream, shards, this.deps.config.archiver.initialPosition);
    if (added > 0) this.logger.log({ msg: 'shards registered', stream, added });
    this.lastSync.set(stream, Date.now());
  }

  private checkRetention(): void {
    const { shards } = this.health();
    for (const s of shards) {
      const key = `${s.stream}/${s.shardId}`;
      const half = s.retentionHours !== undefined ? (s.retentionHours * 3_600_000) / 2 : Infinity;
      if (s.oldestUnarchivedAgeMs > half) {
        if (!this.warned.has(key)) {
          this.logger.warn({
            msg: 'oldest unarchived record is past half the stream retention: records will be lost if this persists',
            stream: s.stream,
            shardId: s.shardId,
            ageSeconds: Math.round(s.oldestUnarchivedAgeMs / 1000),
            retentionHours: s.retentionHours,
          });
          this.warned.add(key);
        }
      } else this.warned.delete(key);
    }
  }
}
