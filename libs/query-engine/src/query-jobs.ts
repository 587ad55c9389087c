import { randomUUID } from 'node:crypto';
import { FluxError } from '@flux-capacitor/contracts';
import type { QueryJob } from '@flux-capacitor/persistence';
import type { JobCursor, QueryJobRepository, RunningJobUpdate, StoredResultInfo } from './query-job.repository';
import { QueryNotFoundError, QueryNotReadyError } from './query.errors';
import type { QueryRequest, QueryService, QueryStatus } from './query-service';
import type { ResultSet } from './result-set';
import type { QueryResultStore } from './stored-result';

export interface QueryJobsDeps {
  /** runs the queries this replica accepted */
  queries: QueryService;
  repository: QueryJobRepository;
  results: QueryResultStore;
  /** a queued or running query whose replica has not heartbeaten for this long is failed by any replica */
  leaseMs: number;
  resultTtlMs: number;
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/** One line of the caller's query history (`GET /v1/queries`). */
export interface QueryHistoryItem {
  id: string;
  state: QueryStatus['state'];
  engine: QueryStatus['engine'];
  sql: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** from submission to the end (or to now while it is queued or running) */
  durationMs: number;
  rowCount?: number;
  rowsScanned: number;
  bytesScanned: number;
  error?: QueryStatus['error'];
}

interface Outcome {
  status: QueryStatus;
  stored: StoredResultInfo | null;
}

const ACTIVE = new Set(['queued', 'running']);
const EXPIRED_PER_SWEEP = 100;
/** How long a released result's objects stay for readers that opened them before the release (on any replica). */
export const RELEASED_RESULT_GRACE_MS = 60_000;

function toStatus(row: QueryJob): QueryStatus {
  return {
    id: row.id,
    state: row.state,
    engine: row.engine as QueryStatus['engine'],
    sql: row.sql,
    submittedAt: row.submittedAt.toISOString(),
    startedAt: row.startedAt?.toISOString(),
    finishedAt: row.finishedAt?.toISOString(),
    progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, bytesScanned: 0, liveRecords: 0, ...row.progress },
    columns: row.columns ?? undefined,
    rowCount: row.rowCount === null ? undefined : Number(row.rowCount),
    truncated: row.truncated ?? undefined,
    warnings: row.warnings,
    error: row.error ?? undefined,
  };
}

function toHistoryItem(row: QueryJob): QueryHistoryItem {
  const s = toStatus(row);
  const end = row.finishedAt?.getTime() ?? Date.now();
  return {
    id: s.id,
    state: s.state,
    engine: s.engine,
    sql: s.sql,
    submittedAt: s.submittedAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    durationMs: Math.max(0, end - row.submittedAt.getTime()),
    rowCount: s.rowCount,
    rowsScanned: s.progress.rowsScanned,
    bytesScanned: s.progress.bytesScanned,
    error: s.error,
  };
}

/**
 * The gateway's asynchronous queries, shared by every replica through Postgres (state, progress, history) and the
 * archive store (results under `_results/`). A query runs on the replica that accepted it (QueryService); that
 * replica heartbeats its row while it runs, writes the outcome once the result is stored, and picks up cancels
 * asked of other replicas on its next heartbeat. Any replica answers status, results and history from the shared
 * state, fails queries whose replica stopped heartbeating (crash, kill -9), and sweeps expired queries and their
 * results. Postgres being unreachable is a 503 (QUERY_STATE_UNAVAILABLE), never a 500.
 */
export class QueryJobs {
  /** this replica, as `query_job.replica_id` names it */
  readonly replicaId = randomUUID();
  /** queries this replica accepted whose outcome is not recorded yet, with the work that records it */
  private readonly running = new Map<string, Promise<void>>();
  /** outcomes not yet written (the database was unreachable): written again on each heartbeat */
  private readonly unrecorded = new Map<string, Outcome>();
  private timers: NodeJS.Timeout[] = [];
  private stopping = false;

  constructor(private readonly deps: QueryJobsDeps) {}

  /** Starts the heartbeat (every third of the lease) and the sweeper (every lease, at most every minute). */
  start(): void {
    if (this.timers.length > 0) return;
    const every = (ms: number, work: () => Promise<void>) => {
      // A tick that finds the previous one still waiting (a slow database) skips rather than piling up.
      let busy = false;
      const timer = setInterval(() => {
        if (busy) return;
        busy = true;
        void work().finally(() => (busy = false));
      }, ms);
      timer.unref();
      this.timers.push(timer);
    };
    every(Math.max(200, Math.floor(this.deps.leaseMs / 3)), () => this.heartbeat());
    every(Math.min(this.deps.leaseMs, 60_000, this.deps.resultTtlMs), () => this.sweep());
  }

  /** Validates and starts a query for `owner` (the caller's principal id); refused before it is recorded when invalid. */
  async submit(request: QueryRequest, owner: string): Promise<QueryStatus> {
    const status = await this.deps.queries.submit(request, owner);
    try {
      await this.deps.repository.insert(status, owner, this.replicaId);
    } catch (err) {
      void this.discard(status.id);
      throw err;
    }
    this.running.set(
      status.id,
      this.follow(status.id).catch((err: unknown) => this.deps.log?.('query follow-up failed', { queryId: status.id, err })),
    );
    return status;
  }

  async status(id: string, viewer?: string): Promise<QueryStatus> {
    const row = await this.row(id, viewer);
    if (ACTIVE.has(row.state) && this.running.has(id) && !this.unrecorded.has(id)) {
      // Running here: the engine's own progress is fresher than the last heartbeat's.
      const live = this.localStatus(id);
      if (live && ACTIVE.has(live.state)) return live;
    }
    return toStatus(row);
  }

  /** A succeeded query's stored result; the caller closes it. */
  async results(id: string, viewer?: string): Promise<ResultSet> {
    const row = await this.row(id, viewer);
    if (row.state !== 'succeeded') throw new QueryNotReadyError(id, row.state);
    if (row.resultParts === null) throw new FluxError('not-found', 'QUERY_RESULT_RELEASED', `the result of query ${id} was released (DELETE); run the query again`, { details: { id } });
    const status = toStatus(row);
    return this.deps.results.open(id, status.columns ?? [], status.rowCount ?? 0, status.truncated ?? false, { parts: row.resultParts, parquet: row.resultParquet });
  }

  /**
   * Cancels a queued or running query (on whichever replica runs it), or releases a finished one's result: new
   * readers get QUERY_RESULT_RELEASED at once; the objects are deleted by the sweeper once the grace has passed,
   * since a reader on another replica may still be streaming them.
   */
  async cancel(id: string, viewer?: string): Promise<QueryStatus> {
    const row = await this.row(id, viewer);
    if (ACTIVE.has(row.state)) {
      if (this.running.has(id)) this.cancelLocal(id);
      else await this.deps.repository.requestCancel(id);
    } else if (row.resultParts !== null) {
      await this.deps.repository.releaseResult(id, RELEASED_RESULT_GRACE_MS);
    }
    return toStatus(row);
  }

  /** The owner's queries, newest first. */
  async list(owner: string, limit: number, cursor?: JobCursor): Promise<{ items: QueryHistoryItem[]; nextCursor: string | null }> {
    const rows = await this.deps.repository.list(owner, limit + 1, cursor);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = rows.length > limit && last ? encodeJobCursor({ submittedAt: last.submittedAt.toISOString(), id: last.id }) : null;
    return { items: page.map(toHistoryItem), nextCursor };
  }

  /**
   * Stops the timers and cancels the queries running here; they are recorded as failed ("the replica shut down")
   * when the database still answers within `waitMs`, else another replica fails them once their heartbeat lapses.
   */
  async close(waitMs = 5000): Promise<void> {
    this.stopping = true;
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    for (const id of this.running.keys()) this.cancelLocal(id);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.running.values()]), new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
  }

  /** One heartbeat: writes outcomes still unrecorded, refreshes the rows of running queries, applies asked cancels. */
  async heartbeat(): Promise<void> {
    try {
      for (const id of [...this.unrecorded.keys()]) await this.record(id);
      const updates: RunningJobUpdate[] = [];
      for (const id of this.running.keys()) {
        const s = this.unrecorded.get(id)?.status ?? this.localStatus(id);
        if (s) updates.push({ id, state: s.state === 'queued' ? 'queued' : 'running', startedAt: s.startedAt, progress: s.progress, warnings: s.warnings });
      }
      for (const id of await this.deps.repository.heartbeat(this.replicaId, updates)) this.cancelLocal(id);
    } catch (err) {
      this.deps.log?.('query heartbeat failed', { replicaId: this.replicaId, err });
    }
  }

  /** One sweep: fails the queries of replicas that stopped, deletes expired queries and their results. */
  async sweep(): Promise<void> {
    try {
      for (const id of await this.deps.repository.failAbandoned(this.deps.leaseMs, this.deps.resultTtlMs)) {
        this.deps.log?.('query failed: its replica stopped', { queryId: id });
      }
      for (const { id } of await this.deps.repository.expired(EXPIRED_PER_SWEEP)) {
        // Objects first: a sweep that stops half-way leaves a row that the next sweep finds again.
        await this.deps.results.delete(id);
        await this.deps.repository.delete(id);
      }
    } catch (err) {
      this.deps.log?.('query sweep failed', { replicaId: this.replicaId, err });
    }
  }

  /** The query's row; with `viewer` (a principal id), only if that principal owns it: others' queries are "not found". */
  private async row(id: string, viewer?: string): Promise<QueryJob> {
    const row = await this.deps.repository.get(id);
    if (!row || (viewer !== undefined && row.owner !== viewer)) throw new QueryNotFoundError(id);
    return row;
  }

  private localStatus(id: string): QueryStatus | undefined {
    try {
      return this.deps.queries.status(id);
    } catch {
      return undefined; // already released
    }
  }

  private cancelLocal(id: string): void {
    const local = this.localStatus(id);
    if (local && ACTIVE.has(local.state)) this.deps.queries.cancel(id);
  }

  /** Waits for a local query to end, stores its result, releases it and records the outcome. */
  private async follow(id: string): Promise<void> {
    const status = await this.deps.queries.wait(id);
    let stored: StoredResultInfo | null = null;
    try {
      if (status.state === 'succeeded') stored = await this.deps.results.save(id, this.deps.queries.results(id));
    } catch (err) {
      this.deps.log?.('query result not stored', { queryId: id, err });
      await this.deps.results.delete(id).catch(() => undefined);
      status.state = 'failed';
      status.error = { code: 'QUERY_RESULT_NOT_STORED', message: 'the result could not be written to the archive store; run the query again' };
    } finally {
      this.release(id);
    }
    if (this.stopping && status.state === 'cancelled') {
      status.state = 'failed';
      status.error = { code: 'QUERY_REPLICA_STOPPED', message: 'the gateway replica running it shut down; run the query again' };
    }
    this.unrecorded.set(id, { status, stored });
    await this.record(id);
  }

  private async record(id: string): Promise<void> {
    const outcome = this.unrecorded.get(id);
    if (!outcome) return;
    try {
      const recorded = await this.deps.repository.finish(this.replicaId, outcome.status, outcome.stored, this.deps.resultTtlMs);
      // Not recorded: another replica failed it while this one could not heartbeat; its row points to no result.
      if (!recorded && outcome.stored) await this.deps.results.delete(id);
      this.unrecorded.delete(id);
      this.running.delete(id);
    } catch (err) {
      this.deps.log?.('query outcome not recorded yet; retried on the next heartbeat', { queryId: id, err });
    }
  }

  /** Drops a query's local state (its engine result); the stored copy, if any, stays. */
  private release(id: string): void {
    try {
      this.deps.queries.cancel(id);
    } catch {
      // already released (the service was closed)
    }
  }

  /** Cancels and releases a query that could not be recorded. */
  private async discard(id: string): Promise<void> {
    this.cancelLocal(id);
    await this.deps.queries.wait(id).catch(() => undefined);
    this.release(id);
  }
}

export function encodeJobCursor(cursor: JobCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The position a `nextCursor` names; null when the text is not one `list` handed out. */
export function decodeJobCursor(text: string): JobCursor | null {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Partial<JobCursor>;
    const at = typeof value.submittedAt === 'string' ? new Date(value.submittedAt) : null;
    if (!at || Number.isNaN(at.getTime()) || at.toISOString() !== value.submittedAt || typeof value.id !== 'string' || !UUID.test(value.id)) return null;
    return { submittedAt: value.submittedAt, id: value.id };
  } catch {
    return null;
  }
}
