import { randomUUID } from 'node:crypto';
import type { ArchiveObjectCache, PinnedObjects } from './archive-object-cache';
import type { DrillEngine } from './drill-engine';
import type { DuckDbEngine, DuckDbSession, DuckDbSessionOptions } from './duckdb-engine';
import type { LiveTailOptions, LiveTailResult } from './live-tail';
import { QueryCancelledError, QueryError, QueryNotFoundError, QueryNotReadyError, QueryRejectedError } from './query.errors';
import type { QueryProgress, ResultColumn, ResultSet } from './result-set';
import type { SqlAnalyzer, TimeBounds } from './sql-analysis';
import type { StreamSource } from './stream-source';

/** The slice of the catalog the gateway reads (CatalogReader from @flux-capacitor/archive-catalog satisfies it). */
export interface QueryCatalog {
  listObjects(
    stream: string,
    range?: { from?: Date; to?: Date },
  ): Promise<{ uri: string; shardId: string; firstSequenceNumber: string; lastSequenceNumber: string }[]>;
  shardHighWatermarks(stream: string): Promise<Map<string, string>>;
}

export interface LiveTailReader {
  read(stream: string, watermarks: Map<string, string>, opts: LiveTailOptions): Promise<LiveTailResult>;
}

export type QueryEngineName = 'duckdb' | 'drill';
export type QueryState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface QueryRequest {
  sql: string;
  engine?: QueryEngineName;
}

export interface QueryStatus {
  id: string;
  state: QueryState;
  engine: QueryEngineName;
  sql: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: QueryProgress;
  columns?: ResultColumn[];
  rowCount?: number;
  truncated?: boolean;
  /** e.g. that the live tail was cut short */
  warnings: string[];
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export interface QueryServiceLimits {
  defaultEngine: QueryEngineName;
  timeoutMs: number;
  maxRows: number;
  syncMaxRows: number;
  maxConcurrent: number;
  resultTtlMs: number;
  live: { enabled: boolean; maxRecords: number; budgetMs: number };
}

export interface QueryServiceDeps {
  catalog: QueryCatalog;
  analyzer: SqlAnalyzer;
  duckdb: DuckDbEngine;
  cache: ArchiveObjectCache;
  drill?: DrillEngine;
  liveTail?: LiveTailReader;
  limits: QueryServiceLimits;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

interface PlannedSources {
  sources: StreamSource[];
  /** per table: the catalog's highest archived sequence number per shard */
  catalogWatermarks: Map<string, Map<string, string>>;
  pins: PinnedObjects[];
  objects: number;
  liveRecords: number;
  /** tables whose live tail was cut short by the limits */
  truncated: string[];
}

interface Job {
  status: QueryStatus;
  controller: AbortController;
  done: Promise<void>;
  result?: ResultSet;
  expiresAt?: number;
}

/**
 * Plans and runs queries: parses the statement (DuckDB's parser), picks each stream's archive objects from the
 * catalog pruned by the statement's arrival_time predicates, reads the live tail past the catalog's per-shard
 * checkpoints, and runs the statement on DuckDB (or Drill). Keeps each query's state, progress and result until
 * it expires; at most `maxConcurrent` queries run at once, the rest queue.
 */
export class QueryService {
  private readonly jobs = new Map<string, Job>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly deps: QueryServiceDeps) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(60_000, deps.limits.resultTtlMs));
    this.sweeper.unref();
  }

  /** Starts a query in the background; invalid SQL is refused here, before an id is handed out. */
  async submit(request: QueryRequest): Promise<QueryStatus> {
    const job = await this.createJob(request, this.deps.limits.maxRows);
    return { ...job.status };
  }

  /** Runs a small query to completion with the synchronous row cap; the caller must close the result. */
  async runSync(request: QueryRequest): Promise<{ status: QueryStatus; result: ResultSet }> {
    const job = await this.createJob(request, this.deps.limits.syncMaxRows);
    await job.done;
    if (job.status.state !== 'succeeded' || !job.result) {
      this.jobs.delete(job.status.id);
      throw this.failure(job);
    }
    const result = job.result;
    this.jobs.delete(job.status.id);
    return { status: { ...job.status }, result };
  }

  status(id: string): QueryStatus {
    return { ...this.job(id).status };
  }

  results(id: string): ResultSet {
    const job = this.job(id);
    if (job.status.state !== 'succeeded' || !job.result) throw new QueryNotReadyError(id, job.status.state);
    return job.result;
  }

  /** Cancels a queued or running query (interrupting DuckDB), or releases a finished query's result. */
  cancel(id: string): QueryStatus {
    const job = this.job(id);
    if (job.status.state === 'queued' || job.status.state === 'running') {
      job.controller.abort();
    } else {
      job.result?.close();
      job.result = undefined;
      this.jobs.delete(id);
    }
    return { ...job.status };
  }

  /** Waits for a query to leave `queued`/`running`. */
  async wait(id: string): Promise<QueryStatus> {
    const job = this.job(id);
    await job.done;
    return { ...job.status };
  }

  /**
   * Downloads the archive objects of a time range into the local cache ahead of the first query that needs them
   * (S3 archives; `file://` objects are read in place). Returns how many objects it fetched.
   */
  async prefetch(stream: string, range: { from: Date; to: Date }): Promise<number> {
    const objects = await this.deps.catalog.listObjects(stream, range);
    const uris = objects.map((o) => o.uri).filter((uri) => uri.startsWith('s3://'));
    if (uris.length === 0) return 0;
    const pinned = await this.deps.cache.pin(uris);
    pinned.release();
    return pinned.downloaded;
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const job of this.jobs.values()) {
      job.controller.abort();
      job.result?.close();
    }
    this.jobs.clear();
    this.deps.duckdb.close();
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new QueryNotFoundError(id);
    return job;
  }

  private failure(job: Job): Error {
    const e = job.status.error;
    if (job.status.state === 'cancelled') return new QueryCancelledError();
    return new QueryError(e?.code ?? 'QUERY_FAILED', e?.message ?? 'the query failed', kindOf(e?.code), e?.details);
  }

  private async createJob(request: QueryRequest, maxRows: number): Promise<Job> {
    const engine = request.engine ?? this.deps.limits.defaultEngine;
    if (engine === 'drill' && !this.deps.drill) throw new QueryRejectedError('the drill engine is not configured (set FLUX_DRILL_URL)');
    // Refuse bad SQL synchronously (400 on submit), with DuckDB's parser.
    const analysis = await this.deps.analyzer.analyze(request.sql);
    // Drill resolves names in its own schemas (and guards its file systems with its storage plugin and user
    // impersonation settings); DuckDB-bound checks only make sense for the DuckDB engine.
    if (engine === 'duckdb') await this.deps.analyzer.bindCheck(request.sql, analysis.tables);
    const id = randomUUID();
    const status: QueryStatus = {
      id,
      state: 'queued',
      engine,
      sql: request.sql,
      submittedAt: new Date().toISOString(),
      progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, liveRecords: 0 },
      warnings: [],
    };
    const controller = new AbortController();
    const job: Job = { status, controller, done: Promise.resolve() };
    this.jobs.set(id, job);
    job.done = this.execute(job, analysis.tables, analysis.timeBounds, maxRows);
    return job;
  }

  private async execute(job: Job, tables: string[], bounds: Map<string, TimeBounds>, maxRows: number): Promise<void> {
    const { status, controller } = job;
    const started = Date.now();
    let pins: PinnedObjects[] = [];
    await this.acquire(controller.signal);
    try {
      if (controller.signal.aborted) throw new QueryCancelledError();
      status.state = 'running';
      status.startedAt = new Date().toISOString();
      let result: ResultSet;
      if (status.engine === 'drill') {
        result = await this.deps.drill!.run({ sql: status.sql, maxRows, timeoutMs: this.deps.limits.timeoutMs, signal: controller.signal });
      } else {
        const live = this.deps.limits.live.enabled ? { maxRecords: this.deps.limits.live.maxRecords, budgetMs: this.deps.limits.live.budgetMs } : undefined;
        const planned = await this.plan(tables, bounds, live);
        pins = planned.pins;
        status.progress.objectsTotal += planned.objects;
        status.progress.liveRecords += planned.liveRecords;
        for (const table of planned.truncated) {
          const n = planned.sources.find((src) => src.name === table)?.live.length ?? 0;
          status.warnings.push(`the live tail of ${table} was cut at ${n} records; later records are missing`);
        }
        const remaining = this.deps.limits.timeoutMs - (Date.now() - started);
        result = await this.deps.duckdb.run({
          sql: status.sql,
          sources: planned.sources,
          maxRows,
          timeoutMs: Math.max(1, remaining),
          signal: controller.signal,
          onProgress: (rows, fraction) => {
            status.progress.rowsScanned = rows;
            status.progress.objectsScanned = Math.min(status.progress.objectsTotal, Math.floor(fraction * status.progress.objectsTotal));
          },
        });
        status.progress.objectsScanned = status.progress.objectsTotal;
      }
      if (controller.signal.aborted) {
        result.close();
        throw new QueryCancelledError();
      }
      job.result = result;
      status.columns = result.columns;
      status.rowCount = result.rowCount;
      status.truncated = result.truncated;
      status.state = 'succeeded';
    } catch (err) {
      const e = err instanceof QueryError ? err : new QueryError('QUERY_FAILED', (err as Error).message, 'unavailable', undefined, { cause: err });
      status.state = e instanceof QueryCancelledError ? 'cancelled' : 'failed';
      status.error = { code: e.code, message: e.message, details: e.details };
    } finally {
      for (const p of pins) p.release();
      status.finishedAt = new Date().toISOString();
      job.expiresAt = Date.now() + this.deps.limits.resultTtlMs;
      this.releaseSlot();
      this.deps.log?.('query finished', {
        queryId: status.id,
        state: status.state,
        engine: status.engine,
        durationMs: Date.now() - started,
        objects: status.progress.objectsTotal,
        liveRecords: status.progress.liveRecords,
        rows: status.rowCount,
        error: status.error?.code,
      });
    }
  }

  /**
   * Picks each table's archive objects from the catalog (pruned by `bounds`), reads its live tail past the
   * catalog's per-shard checkpoints (up to `live` limits) and pins the objects in the local cache. A name that is
   * neither catalogued nor a Kinesis stream is left out (a CTE, or a typo DuckDB will report).
   */
  private async plan(tables: string[], bounds: Map<string, TimeBounds>, live: { maxRecords: number; budgetMs: number } | undefined): Promise<PlannedSources> {
    const planned: PlannedSources = { sources: [], catalogWatermarks: new Map(), pins: [], objects: 0, liveRecords: 0, truncated: [] };
    try {
      for (const table of tables) {
        const range = bounds.get(table.toLowerCase()) ?? {};
        const tail = live && this.deps.liveTail ? this.deps.liveTail : undefined;
        // Two indexed catalog reads per table; a name the catalog has never seen (a CTE, a typo) yields nothing.
        const [objects, watermarks] = await Promise.all([
          this.deps.catalog.listObjects(table, {
            from: range.from === undefined ? undefined : new Date(range.from),
            to: range.to === undefined ? undefined : new Date(range.to),
          }),
          this.deps.catalog.shardHighWatermarks(table),
        ]);
        const catalogued = objects.length > 0 || watermarks.size > 0;
        if (!catalogued && !tail) continue; // not a stream: DuckDB resolves it (a CTE) or reports it unknown
        let liveRecords: StreamSource['live'] = [];
        if (tail && live) {
          const read = await tail.read(table, watermarks, live);
          if (!catalogued && read.shardsRead === 0) continue; // neither archived nor in Kinesis: not a stream
          liveRecords = read.records.filter((r) => (range.from === undefined || r.arrivalTime >= range.from) && (range.to === undefined || r.arrivalTime <= range.to));
          if (read.truncated) planned.truncated.push(table);
        }
        const pinned = await this.deps.cache.pin(objects.map((o) => o.uri));
        planned.pins.push(pinned);
        planned.catalogWatermarks.set(table, watermarks);
        planned.sources.push({
          name: table,
          archiveFiles: objects.map((o) => ({ path: pinned.paths.get(o.uri)!, shardId: o.shardId, firstSequenceNumber: o.firstSequenceNumber, lastSequenceNumber: o.lastSequenceNumber })),
          live: liveRecords,
        });
        planned.objects += objects.length;
        planned.liveRecords += liveRecords.length;
      }
      return planned;
    } catch (err) {
      for (const p of planned.pins) p.release();
      throw err;
    }
  }

  /**
   * Runs `work` in a locked DuckDB session over the stream tables of `streams` (archive objects pruned to
   * `range`, and the live tail up to `live` limits), for callers that build their own statements around checked
   * fragments: the replay planner. Fails when the live tail had to be cut short, since such a session would
   * silently miss records.
   */
  async withStreams<T>(
    request: { streams: string[]; range?: TimeBounds; live?: { maxRecords: number; budgetMs: number }; session: Omit<DuckDbSessionOptions, 'sources'> },
    work: (session: DuckDbSession, info: { objects: number; liveRecords: number; catalogWatermarks: Map<string, string> }) => Promise<T>,
  ): Promise<T> {
    const bounds = new Map(request.streams.map((s) => [s.toLowerCase(), request.range ?? {}]));
    const planned = await this.plan(request.streams, bounds, this.deps.limits.live.enabled ? request.live : undefined);
    try {
      if (planned.truncated.length > 0) {
        throw new QueryError(
          'LIVE_TAIL_TOO_LARGE',
          `the live tail of ${planned.truncated.join(', ')} holds more records than one plan may read (${request.live?.maxRecords}); wait for the archiver to catch up or raise the limit`,
          'unavailable',
        );
      }
      return await this.deps.duckdb.session({ ...request.session, sources: planned.sources }, (session) =>
        work(session, { objects: planned.objects, liveRecords: planned.liveRecords, catalogWatermarks: planned.catalogWatermarks.get(request.streams[0]) ?? new Map() }),
      );
    } finally {
      for (const p of planned.pins) p.release();
    }
  }

  /** Checks a SQL fragment (a predicate or an expression over one stream table); see SqlAnalyzer.checkFragment. */
  checkFragment(table: string, fragment: string, role: 'predicate' | 'expression', label: string): Promise<void> {
    return this.deps.analyzer.checkFragment(table, fragment, role, label);
  }

  /** Whether `name` is a stream: catalogued, or readable from Kinesis. */
  async isStream(name: string): Promise<boolean> {
    const [objects, watermarks] = await Promise.all([this.deps.catalog.listObjects(name, {}), this.deps.catalog.shardHighWatermarks(name)]);
    if (objects.length > 0 || watermarks.size > 0) return true;
    if (!this.deps.liveTail) return false;
    return (await this.deps.liveTail.read(name, new Map(), { maxRecords: 0, budgetMs: 5000 })).shardsRead > 0;
  }

  private async acquire(signal: AbortSignal): Promise<void> {
    if (this.running < this.deps.limits.maxConcurrent) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', go);
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        this.running++;
        resolve();
      };
      this.waiting.push(go);
      signal.addEventListener('abort', go);
    });
  }

  private releaseSlot(): void {
    this.running--;
    this.waiting[0]?.();
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) {
      if (job.expiresAt !== undefined && job.expiresAt < now) {
        job.result?.close();
        this.jobs.delete(id);
      }
    }
  }
}

function kindOf(code?: string): QueryError['kind'] {
  switch (code) {
    case 'QUERY_TIMEOUT':
      return 'timeout';
    case 'QUERY_ENGINE_UNAVAILABLE':
      return 'unavailable';
    default:
      return 'invalid';
  }
}
