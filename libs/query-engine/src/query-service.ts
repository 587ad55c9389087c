import { randomUUID } from 'node:crypto';
import { ANONYMOUS_OWNER, FluxError, isFluxError, type FieldColumnChoice } from '@flux-capacitor/contracts';
import type { ArchiveObjectCache, PinnedObjects } from './archive-object-cache';
import type { DrillEngine } from './drill-engine';
import type { DuckDbEngine, DuckDbSession, DuckDbSessionOptions } from './duckdb-engine';
import { FairAdmission, type AdmissionTicket } from './fair-admission';
import { queryMetrics } from './query.metrics';
import { QueryPlanner, fieldChoices, type LiveTailReader, type QueryCatalog } from './query-planner';
import { QueryCancelledError, QueryNotFoundError, QueryNotReadyError, QueryRejectedError } from './query.errors';
import type { QueryProgress, ResultColumn, ResultSet } from './result-set';
import type { SqlAnalyzer, TimeBounds } from './sql-analysis';
import type { ShardSequenceBounds } from './stream-source';
import { streamsOutsideGrant } from './stream-access';
import { typedColumns } from './stream-view';

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
  /** per owner (bearer token) and queue bounds; without it one owner may take every slot and the queue is unbounded */
  admission?: { maxConcurrentPerToken: number; maxQueued: number; maxQueuedPerToken: number };
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

interface Job {
  status: QueryStatus;
  controller: AbortController;
  /** its place in the queue, then its slot */
  ticket: AdmissionTicket;
  done: Promise<void>;
  result?: ResultSet;
  /** why it failed or was cancelled: the error itself, cause and all, for runSync and waitForSuccess to rethrow */
  error?: Error;
  expiresAt?: number;
}

/** The owner of queries submitted without one (no bearer auth, the CLI); re-exported for the gateway's callers. */
export { ANONYMOUS_OWNER };

/** What a failed query's status says when the error was not one we raised on purpose (the log has it). */
const INTERNAL_FAILURE = { code: 'INTERNAL', message: 'internal error; the service log has the details' };

/**
 * Plans and runs queries: parses the statement (DuckDB's parser), picks each stream's archive objects from the
 * catalog pruned by the statement's arrival_time predicates, reads the live tail past the catalog's per-shard
 * checkpoints (QueryPlanner), and runs the statement on DuckDB (or Drill). Keeps each query's state, progress and
 * result until it expires (once `start()` has started the sweeper); at most `maxConcurrent` queries run at once,
 * the rest queue, fairly between owners (FairAdmission: per-token slots, round robin, a bounded queue).
 */
export class QueryService {
  private readonly jobs = new Map<string, Job>();
  private readonly admission: FairAdmission;
  private readonly planner: QueryPlanner;
  private sweeper?: NodeJS.Timeout;

  constructor(private readonly deps: QueryServiceDeps) {
    const { maxConcurrent, admission } = deps.limits;
    this.admission = new FairAdmission({
      maxRunning: maxConcurrent,
      maxRunningPerOwner: admission?.maxConcurrentPerToken ?? maxConcurrent,
      maxQueued: admission?.maxQueued ?? Number.POSITIVE_INFINITY,
      maxQueuedPerOwner: admission?.maxQueuedPerToken ?? Number.POSITIVE_INFINITY,
    });
    this.planner = new QueryPlanner(deps);
  }

  /** Starts dropping expired results (every minute, or every TTL when shorter). A one-shot caller need not. */
  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(60_000, this.deps.limits.resultTtlMs));
    this.sweeper.unref();
  }

  /**
   * Starts a query in the background; invalid SQL, or a full queue (QueryOverloadedError), is refused here, before
   * an id is handed out. `owner` (the bearer token's principal id) is whom the fair admission counts it against.
   */
  async submit(request: QueryRequest, owner = ANONYMOUS_OWNER): Promise<QueryStatus> {
    const job = await this.createJob(request, this.deps.limits.maxRows, owner);
    return { ...job.status };
  }

  /** Runs a small query to completion with the synchronous row cap; the caller must close the result. */
  async runSync(request: QueryRequest, owner = ANONYMOUS_OWNER): Promise<{ status: QueryStatus; result: ResultSet }> {
    const job = await this.createJob(request, this.deps.limits.syncMaxRows, owner);
    try {
      return { status: await this.settle(job), result: job.result! };
    } finally {
      this.jobs.delete(job.status.id);
    }
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

  /** Waits for a query to succeed; when it failed or was cancelled, rethrows its error itself, cause and all. */
  waitForSuccess(id: string): Promise<QueryStatus> {
    return this.settle(this.job(id));
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
    this.sweeper = undefined;
    for (const job of this.jobs.values()) {
      job.controller.abort();
      job.result?.close();
    }
    this.jobs.clear();
    this.deps.duckdb.close();
  }

  private async settle(job: Job): Promise<QueryStatus> {
    await job.done;
    if (job.status.state === 'succeeded' && job.result) return { ...job.status };
    throw job.error ?? new FluxError('internal', 'QUERY_FAILED', `query ${job.status.id} ended ${job.status.state} without an error`);
  }

  private job(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new QueryNotFoundError(id);
    return job;
  }

  /** Per stream table (lower case): its typed field columns from the catalog's latest schema. */
  async typedColumns(tables: string[]): Promise<Map<string, { name: string; type: string }[]>> {
    return typedOf(await this.fieldChoices(tables));
  }

  /** Per stream table (lower case): the catalog's field column choice, read once per query (fieldChoices). */
  private async fieldChoices(tables: string[]): Promise<Map<string, FieldColumnChoice[]>> {
    const choices = new Map<string, FieldColumnChoice[]>();
    for (const table of tables) choices.set(table.toLowerCase(), await fieldChoices(this.deps.catalog, table));
    return choices;
  }

  private async createJob(request: QueryRequest, maxRows: number, owner: string): Promise<Job> {
    const engine = request.engine ?? this.deps.limits.defaultEngine;
    if (engine === 'drill' && !this.deps.drill) throw new QueryRejectedError('the drill engine is not configured (set FLUX_DRILL_URL)');
    // a full queue refuses before the SQL checks below, so a flood of refused queries costs little
    try {
      this.admission.refuseIfFull(owner);
    } catch (err) {
      queryMetrics.rejections.inc();
      throw err;
    }
    // Refuse bad SQL synchronously (400 on submit), with DuckDB's parser.
    const analysis = await this.deps.analyzer.analyze(request.sql);
    // Drill resolves names in its own schemas (and guards its file systems with its storage plugin and user
    // impersonation settings); DuckDB-bound checks only make sense for the DuckDB engine.
    // One schema read per query: the bind check and the plan see the same typed columns.
    const choices = engine === 'duckdb' ? await this.fieldChoices(analysis.tables) : new Map<string, FieldColumnChoice[]>();
    if (engine === 'duckdb') await this.deps.analyzer.bindCheck(request.sql, analysis.tables, typedOf(choices));
    const controller = new AbortController();
    let ticket: AdmissionTicket;
    try {
      ticket = this.admission.admit(owner, controller.signal);
    } catch (err) {
      queryMetrics.rejections.inc();
      throw err;
    } finally {
      this.observeAdmission();
    }
    const id = randomUUID();
    const status: QueryStatus = {
      id,
      state: 'queued',
      engine,
      sql: request.sql,
      submittedAt: new Date().toISOString(),
      progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, bytesScanned: 0, liveRecords: 0 },
      warnings: [],
    };
    const job: Job = { status, controller, ticket, done: Promise.resolve() };
    this.jobs.set(id, job);
    job.done = this.execute(job, analysis.tables, analysis.timeBounds, maxRows, choices);
    return job;
  }

  private observeAdmission(): void {
    const { queued, running } = this.admission.snapshot();
    queryMetrics.queued.set(queued);
    queryMetrics.running.set(running);
  }

  private async execute(job: Job, tables: string[], bounds: Map<string, TimeBounds>, maxRows: number, choices: Map<string, FieldColumnChoice[]>): Promise<void> {
    const { status, controller } = job;
    let pins: PinnedObjects[] = [];
    await job.ticket.ready;
    this.observeAdmission();
    // the timeout bounds the run, not the wait in the queue (the queue has its own bounds)
    const started = Date.now();
    try {
      if (controller.signal.aborted) throw new QueryCancelledError();
      status.state = 'running';
      status.startedAt = new Date().toISOString();
      let result: ResultSet;
      if (status.engine === 'drill') {
        result = await this.deps.drill!.run({ sql: status.sql, maxRows, timeoutMs: this.deps.limits.timeoutMs, signal: controller.signal });
      } else {
        const live = this.deps.limits.live.enabled ? { maxRecords: this.deps.limits.live.maxRecords, budgetMs: this.deps.limits.live.budgetMs } : undefined;
        const planned = await this.planner.plan(tables, bounds, live, new Map(), choices);
        pins = planned.pins;
        status.progress.objectsTotal += planned.objects;
        status.progress.bytesScanned += planned.bytes;
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
      const error = err instanceof Error ? err : new FluxError('internal', 'QUERY_FAILED', String(err));
      job.error = error;
      status.state = error instanceof QueryCancelledError ? 'cancelled' : 'failed';
      // A client reads the status: our own errors as they are, anything else (a bug) only as "internal".
      status.error = isFluxError(error) && error.kind !== 'internal' ? { code: error.code, message: error.message, details: error.details } : INTERNAL_FAILURE;
    } finally {
      for (const p of pins) p.release();
      status.finishedAt = new Date().toISOString();
      job.expiresAt = Date.now() + this.deps.limits.resultTtlMs;
      job.ticket.release();
      this.observeAdmission();
      const metricLabels = { engine: status.engine, outcome: status.state };
      queryMetrics.queries.inc(metricLabels);
      queryMetrics.duration.observe(metricLabels, (Date.now() - started) / 1000);
      queryMetrics.bytesScanned.inc({ engine: status.engine }, status.progress.bytesScanned);
      queryMetrics.rowsScanned.inc({ engine: status.engine }, status.progress.rowsScanned);
      this.deps.log?.('query finished', {
        queryId: status.id,
        state: status.state,
        engine: status.engine,
        durationMs: Date.now() - started,
        objects: status.progress.objectsTotal,
        liveRecords: status.progress.liveRecords,
        rows: status.rowCount,
        error: status.error?.code,
        ...(status.error === INTERNAL_FAILURE ? { err: job.error } : {}),
      });
    }
  }

  /**
   * Runs `work` in a locked DuckDB session over the stream tables of `streams` (archive objects pruned to
   * `range`, and the live tail up to `live` limits), for callers that build their own statements around checked
   * fragments: the replay planner. Fails when the live tail had to be cut short, since such a session would
   * silently miss records.
   */
  async withStreams<T>(
    request: {
      streams: string[];
      range?: TimeBounds;
      /** per-shard sequence bounds: objects wholly outside them are not scanned (the caller's SQL still applies them) */
      sequenceBounds?: ShardSequenceBounds;
      live?: { maxRecords: number; budgetMs: number };
      session: Omit<DuckDbSessionOptions, 'sources'>;
    },
    work: (session: DuckDbSession, info: { objects: number; liveRecords: number; catalogWatermarks: Map<string, string> }) => Promise<T>,
  ): Promise<T> {
    const bounds = new Map(request.streams.map((s) => [s.toLowerCase(), request.range ?? {}]));
    const sequenceBounds = new Map(request.sequenceBounds ? request.streams.map((s) => [s.toLowerCase(), request.sequenceBounds!]) : []);
    const planned = await this.planner.plan(request.streams, bounds, this.deps.limits.live.enabled ? request.live : undefined, sequenceBounds);
    try {
      if (planned.truncated.length > 0) {
        throw new FluxError(
          'unavailable',
          'LIVE_TAIL_TOO_LARGE',
          `the live tail of ${planned.truncated.join(', ')} holds more records than one plan may read (${request.live?.maxRecords}); wait for the archiver to catch up or raise the limit`,
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
  async checkFragment(table: string, fragment: string, role: 'predicate' | 'expression', label: string): Promise<void> {
    return this.deps.analyzer.checkFragment(table, fragment, role, label, await this.typedColumns([table]));
  }

  /** Whether `name` is a stream: catalogued, or readable from Kinesis. */
  isStream(name: string): Promise<boolean> {
    return this.planner.isStream(name);
  }

  /** The streams `sql` reads outside `granted` (a stream-limited token's streams); see streamsOutsideGrant. */
  streamsOutsideGrant(sql: string, granted: ReadonlySet<string>): Promise<string[]> {
    return streamsOutsideGrant(sql, granted, { analyze: (q) => this.deps.analyzer.analyze(q) });
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

/** Per table: the typed (virtual) columns a field column choice gives, by name and type. */
function typedOf(choices: ReadonlyMap<string, FieldColumnChoice[]>): Map<string, { name: string; type: string }[]> {
  return new Map([...choices].map(([table, c]) => [table, typedColumns(c)]));
}
