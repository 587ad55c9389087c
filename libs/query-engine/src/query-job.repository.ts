import { FluxError } from '@flux-capacitor/contracts';
import { QueryJob } from '@flux-capacitor/persistence';
import type { DataSource } from 'typeorm';
import type { QueryStatus } from './query-service';

/** Where a finished query's result lies in the archive store (see QueryResultStore). */
export interface StoredResultInfo {
  parts: number;
  parquet: boolean;
}

/** What a replica running a query reports on each heartbeat. */
export interface RunningJobUpdate {
  id: string;
  state: 'queued' | 'running';
  startedAt?: string;
  progress: QueryStatus['progress'];
  warnings: string[];
}

/** A page position: the list runs newest first, by (submitted_at, id). */
export interface JobCursor {
  submittedAt: string;
  id: string;
}

/**
 * Errors Postgres itself reported about a statement (a `severity` and a SQLSTATE) are bugs, except those that end
 * the session (FATAL) and those of the connection (08), operator intervention (57) and insufficient resources (53)
 * classes; anything without them (refused or dropped connections, pool time-outs) means the database cannot be reached.
 */
function isUnreachable(err: unknown): boolean {
  const driver = (err as { driverError?: unknown }).driverError ?? err;
  const { severity, code } = (driver ?? {}) as { severity?: unknown; code?: unknown };
  if (typeof severity === 'string' && typeof code === 'string') return severity === 'FATAL' || severity === 'PANIC' || /^(08|57|53)/.test(code);
  return true;
}

/** Runs a statement; an unreachable database becomes a 503 problem instead of a 500. */
async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof FluxError || !isUnreachable(err)) throw err;
    throw new FluxError('unavailable', 'QUERY_STATE_UNAVAILABLE', 'the query state database cannot be reached; try again shortly', { cause: err });
  }
}

/**
 * The gateway's asynchronous queries in Postgres (`query_job`), shared by every replica: the replica running a query
 * writes its progress on each heartbeat and its outcome when it ends; any replica reads, lists, asks for a cancel,
 * fails the queries of a replica that stopped heartbeating and sweeps expired ones.
 */
export class QueryJobRepository {
  constructor(private readonly ds: DataSource) {}

  insert(status: QueryStatus, owner: string, replicaId: string): Promise<void> {
    return guarded(async () => {
      await this.ds.query(
        `INSERT INTO query_job (id, owner, state, engine, sql, submitted_at, replica_id, progress) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [status.id, owner, status.state, status.engine, status.sql, status.submittedAt, replicaId, JSON.stringify(status.progress)],
      );
    });
  }

  get(id: string): Promise<QueryJob | null> {
    return guarded(() => this.ds.getRepository(QueryJob).findOneBy({ id }));
  }

  /** The owner's queries, newest first, after `cursor`. */
  list(owner: string, limit: number, cursor?: JobCursor): Promise<QueryJob[]> {
    return guarded(() => {
      const qb = this.ds.getRepository(QueryJob).createQueryBuilder('j').where('j.owner = :owner', { owner });
      if (cursor) qb.andWhere('(j.submitted_at, j.id) < (:at::timestamptz, :id::uuid)', { at: cursor.submittedAt, id: cursor.id });
      return qb.orderBy('j.submitted_at', 'DESC').addOrderBy('j.id', 'DESC').limit(limit).getMany();
    });
  }

  /**
   * Refreshes the heartbeat of every query this replica still runs, with its progress, and returns the ids someone
   * asked to cancel. Queries another replica already failed (their heartbeat had lapsed) stay failed.
   */
  heartbeat(replicaId: string, jobs: RunningJobUpdate[]): Promise<string[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return guarded(async () => {
      const [rows] = (await this.ds.query(
        `UPDATE query_job j
            SET heartbeat_at = now(), state = u.state, started_at = u.started_at, progress = u.progress, warnings = u.warnings
           FROM jsonb_to_recordset($2::jsonb) AS u(id uuid, state text, started_at timestamptz, progress jsonb, warnings jsonb)
          WHERE j.id = u.id AND j.replica_id = $1 AND j.state IN ('queued', 'running')
        RETURNING j.id, j.cancel_requested`,
        [replicaId, JSON.stringify(jobs.map((j) => ({ id: j.id, state: j.state, started_at: j.startedAt ?? null, progress: j.progress, warnings: j.warnings })))],
      )) as [{ id: string; cancel_requested: boolean }[], number];
      return rows.filter((r) => r.cancel_requested).map((r) => r.id);
    });
  }

  /** Records how a query this replica ran ended; false when another replica had already failed it. */
  finish(replicaId: string, status: QueryStatus, result: StoredResultInfo | null, ttlMs: number): Promise<boolean> {
    return guarded(async () => {
      const [, affected]: [unknown, number] = await this.ds.query(
        `UPDATE query_job
            SET state = $3, started_at = $4, finished_at = $5, progress = $6, warnings = $7, columns = $8, row_count = $9, truncated = $10,
                error = $11, result_parts = $12, result_parquet = $13, heartbeat_at = now(), expires_at = now() + $14 * interval '1 millisecond'
          WHERE id = $1 AND replica_id = $2 AND state IN ('queued', 'running')`,
        [
          status.id,
          replicaId,
          status.state,
          status.startedAt ?? null,
          status.finishedAt ?? new Date().toISOString(),
          JSON.stringify(status.progress),
          JSON.stringify(status.warnings),
          status.columns ? JSON.stringify(status.columns) : null,
          status.rowCount ?? null,
          status.truncated ?? null,
          status.error ? JSON.stringify(status.error) : null,
          result?.parts ?? null,
          result?.parquet ?? false,
          ttlMs,
        ],
      );
      return affected > 0;
    });
  }

  /**
   * Forgets a finished query's stored result: readers get QUERY_RESULT_RELEASED from now on, and the query expires
   * within `graceMs`, when the sweeper deletes its result objects and row (a reader already streaming them on
   * another replica has until then).
   */
  releaseResult(id: string, graceMs: number): Promise<void> {
    return guarded(async () => {
      await this.ds.query(
        `UPDATE query_job SET result_parts = NULL, result_parquet = false, expires_at = LEAST(expires_at, now() + $2 * interval '1 millisecond') WHERE id = $1`,
        [id, graceMs],
      );
    });
  }

  /** Asks the replica running a queued or running query to cancel it; false when it already ended. */
  requestCancel(id: string): Promise<boolean> {
    return guarded(async () => {
      const [, affected]: [unknown, number] = await this.ds.query(`UPDATE query_job SET cancel_requested = true WHERE id = $1 AND state IN ('queued', 'running')`, [id]);
      return affected > 0;
    });
  }

  /**
   * Fails the queued or running queries whose replica has not refreshed their heartbeat for `leaseMs`: that
   * replica stopped (crashed or was killed). Returns their ids.
   */
  failAbandoned(leaseMs: number, ttlMs: number): Promise<string[]> {
    return guarded(async () => {
      const [rows]: [{ id: string }[], number] = await this.ds.query(
        `UPDATE query_job
            SET state = 'failed', finished_at = now(), expires_at = now() + $2 * interval '1 millisecond',
                error = jsonb_build_object('code', 'QUERY_REPLICA_LOST', 'message',
                  'the gateway replica running it stopped (no heartbeat since ' || to_char(heartbeat_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')',
                  'details', jsonb_build_object('replicaId', replica_id))
          WHERE state IN ('queued', 'running') AND heartbeat_at < now() - $1 * interval '1 millisecond'
        RETURNING id`,
        [leaseMs, ttlMs],
      );
      return rows.map((r) => r.id);
    });
  }

  /** Queries whose time is up, oldest first; their stored results are deleted before the rows. */
  expired(limit: number): Promise<{ id: string }[]> {
    return guarded(() => this.ds.query(`SELECT id FROM query_job WHERE expires_at < now() ORDER BY expires_at LIMIT $1`, [limit]));
  }

  delete(id: string): Promise<void> {
    return guarded(async () => {
      await this.ds.query(`DELETE FROM query_job WHERE id = $1`, [id]);
    });
  }
}
