import { Replay, ReplayAuditEvent, ReplayWatermark } from '@flux-capacitor/persistence';
import type { DataSource, EntityManager } from 'typeorm';
import type { ReplaySpec } from './replay-spec';
import type { PlanSummary, ReplayState } from './replay.types';

/** The lease a coordinator holds on a replay; every write of a running replay is fenced by it. */
export interface ReplayLease {
  replayId: string;
  owner: string;
  token: string;
}

export interface ProgressUpdate {
  checkpoint: number;
  /** ordinals past the checkpoint already acknowledged, as [first, last] ranges */
  ackedAhead?: [number, number][];
  put: number;
  failed: number;
  bytesPut: number;
  ratePerSecond: number;
  failures?: Replay['failures'];
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** State changes people may ask for, and the states each is allowed from. */
const REQUESTS = {
  pause: { from: ['planning', 'running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['planning', 'running', 'paused'], to: 'cancelled' },
} as const satisfies Record<string, { from: readonly ReplayState[]; to: ReplayState }>;
export type StateRequest = keyof typeof REQUESTS;

/**
 * Replay state in Postgres, through the one DataSource: entity repositories for reads and the audit trail, fenced
 * SQL where a lease decides who may write (a coordinator whose lease was taken over changes nothing).
 */
export class ReplayRepository {
  constructor(private readonly ds: DataSource) {}

  async create(id: string, spec: ReplaySpec, createdBy: string): Promise<Replay> {
    return this.ds.transaction(async (m) => {
      await m.query(
        `INSERT INTO replay (id, state, source_stream, target_stream, dry_run, spec, created_by) VALUES ($1, 'planning', $2, $3, $4, $5, $6)`,
        [id, spec.source, spec.target, spec.dryRun, JSON.stringify(spec), createdBy],
      );
      await this.audit(id, createdBy, 'created', { spec }, m);
      return (await m.findOneByOrFail(Replay, { id }));
    });
  }

  get(id: string): Promise<Replay | null> {
    return this.ds.getRepository(Replay).findOneBy({ id });
  }

  /** Newest first; the cursor is the last row's (created_at, id); with `streams`, only replays whose source and target are both among them. */
  async list(limit: number, cursor?: { createdAt: string; id: string }, state?: ReplayState, streams?: readonly string[]): Promise<Replay[]> {
    const q = this.ds.getRepository(Replay).createQueryBuilder('r').orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'DESC').limit(limit);
    if (state) q.andWhere('r.state = :state', { state });
    if (streams) q.andWhere('r.source_stream = ANY(:streams) AND r.target_stream = ANY(:streams)', { streams: [...streams] });
    if (cursor) q.andWhere('(r.created_at, r.id) < (:createdAt, :id)', cursor);
    return q.getMany();
  }

  async watermarks(id: string): Promise<ReplayWatermark[]> {
    return this.ds.getRepository(ReplayWatermark).find({ where: { replayId: id }, order: { shardId: 'ASC' } });
  }

  async auditTrail(id: string): Promise<AuditEntry[]> {
    const rows = await this.ds.getRepository(ReplayAuditEvent).find({ where: { replayId: id }, order: { id: 'ASC' } });
    return rows.map((r) => ({ at: r.at.toISOString(), actor: r.actor, action: r.action, detail: r.detail }));
  }

  async audit(replayId: string, actor: string, action: string, detail: Record<string, unknown> = {}, m: EntityManager = this.ds.manager): Promise<void> {
    await m.query(`INSERT INTO replay_audit (replay_id, actor, action, detail) VALUES ($1, $2, $3, $4)`, [replayId, actor, action, JSON.stringify(detail)]);
  }

  /** A person's pause/resume/cancel; null when the replay's state does not allow it (the caller answers 409). */
  async request(id: string, request: StateRequest, actor: string): Promise<Replay | null> {
    const { from, to } = REQUESTS[request];
    return this.ds.transaction(async (m) => {
      // resume goes back to planning when the replay was paused before its plan was made
      const [rows] = (await m.query(
        `UPDATE replay SET state = CASE WHEN $2 = 'running' AND plan_key IS NULL THEN 'planning' ELSE $2 END,
           updated_at = now(), finished_at = CASE WHEN $2 = 'cancelled' THEN now() ELSE finished_at END
         WHERE id = $1 AND state = ANY($3) RETURNING id`,
        [id, to, from],
      )) as [{ id: string }[], number];
      if (rows.length === 0) return null;
      await this.audit(id, actor, request === 'cancel' ? 'cancelled' : request === 'pause' ? 'paused' : 'resumed', {}, m);
      return m.findOneByOrFail(Replay, { id });
    });
  }

  /**
   * Claims one replay that needs a coordinator (planning or running) and whose lease is free or expired, oldest
   * first; SKIP LOCKED keeps two instances from claiming the same one. The token grows with every claim.
   */
  async claim(owner: string, leaseMs: number, exclude: string[] = []): Promise<(Replay & { lease: ReplayLease }) | null> {
    const [rows] = (await this.ds.query(
      `UPDATE replay SET lease_owner = $1, lease_token = lease_token + 1, lease_expires_at = now() + ($2 || ' milliseconds')::interval, updated_at = now()
       WHERE id = (
         SELECT id FROM replay
         WHERE state IN ('planning', 'running') AND (lease_owner IS NULL OR lease_expires_at < now()) AND NOT (id = ANY($3::uuid[]))
         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, lease_token`,
      [owner, String(leaseMs), exclude],
    )) as [{ id: string; lease_token: string }[], number];
    if (!rows || rows.length === 0) return null;
    const replay = await this.ds.getRepository(Replay).findOneByOrFail({ id: rows[0].id });
    return Object.assign(replay, { lease: { replayId: replay.id, owner, token: String(rows[0].lease_token) } });
  }

  /** Stores the plan (and its watermarks); the replay moves on to `running`, or ends `planned` for a dry run. */
  async savePlan(
    lease: ReplayLease,
    plan: PlanSummary,
    planKey: string,
    sourceShards: Replay['sourceShards'],
    dryRun: boolean,
  ): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [, count] = (await m.query(
        `UPDATE replay SET plan = $4, plan_key = $5, source_shards = $6, records_selected = $7, bytes_selected = $8,
           state = CASE WHEN $9 THEN 'planned' WHEN state = 'planning' THEN 'running' ELSE state END,
           finished_at = CASE WHEN $9 THEN now() ELSE finished_at END,
           started_at = CASE WHEN $9 THEN started_at ELSE coalesce(started_at, now()) END, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND lease_token = $3 AND state IN ('planning', 'paused', 'running')`,
        [lease.replayId, lease.owner, lease.token, JSON.stringify(plan), planKey, JSON.stringify(sourceShards), plan.records, plan.bytes, dryRun],
      )) as [unknown, number];
      if (count !== 1) return false;
      await m.query(`DELETE FROM replay_watermark WHERE replay_id = $1`, [lease.replayId]);
      const marks = Object.entries(plan.watermarks);
      if (marks.length > 0) await m.insert(ReplayWatermark, marks.map(([shardId, sequenceNumber]) => ({ replayId: lease.replayId, shardId, sequenceNumber })));
      await this.audit(lease.replayId, `coordinator:${lease.owner}`, 'planned', { records: plan.records, bytes: plan.bytes, distinctKeys: plan.distinctKeys, objects: plan.objects, liveRecords: plan.liveRecords }, m);
      return true;
    });
  }

  /**
   * Saves progress and renews the lease. Returns the replay's state as it stands (a person may have paused or
   * cancelled it), or null when the lease is lost (another instance took the replay over).
   */
  async progress(lease: ReplayLease, leaseMs: number, p: ProgressUpdate): Promise<ReplayState | null> {
    const [rows] = (await this.ds.query(
      `UPDATE replay SET checkpoint = GREATEST(checkpoint, $4), acked_ahead = coalesce($11::jsonb, acked_ahead), records_put = $5, records_failed = $6, bytes_put = $7, rate_per_second = $8,
         failures = coalesce($9::jsonb, failures), error_code = NULL, error_message = NULL, lease_expires_at = now() + ($10 || ' milliseconds')::interval, updated_at = now()
       WHERE id = $1 AND lease_owner = $2 AND lease_token = $3 RETURNING state`,
      [lease.replayId, lease.owner, lease.token, p.checkpoint, p.put, p.failed, p.bytesPut, p.ratePerSecond, p.failures ? JSON.stringify(p.failures) : null, String(leaseMs), p.ackedAhead ? JSON.stringify(p.ackedAhead) : null],
    )) as [{ state: ReplayState }[], number];
    return rows?.[0]?.state ?? null;
  }

  async markStarted(lease: ReplayLease): Promise<boolean> {
    const [, count] = (await this.ds.query(`UPDATE replay SET start_marked = true WHERE id = $1 AND lease_owner = $2 AND lease_token = $3`, [lease.replayId, lease.owner, lease.token])) as [unknown, number];
    return count === 1;
  }

  /** Ends a replay (completed or failed) and releases its lease; a paused or cancelled one keeps its state. */
  async finish(lease: ReplayLease, state: 'completed' | 'failed', detail: Record<string, unknown>, error?: { code: string; message: string }): Promise<boolean> {
    return this.ds.transaction(async (m) => {
      const [, count] = (await m.query(
        `UPDATE replay SET state = $4, error_code = $5, error_message = $6, finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
         WHERE id = $1 AND lease_owner = $2 AND lease_token = $3 AND state IN ('planning', 'running')`,
        [lease.replayId, lease.owner, lease.token, state, error?.code ?? null, error?.message ?? null],
      )) as [unknown, number];
      if (count !== 1) return false;
      await this.audit(lease.replayId, `coordinator:${lease.owner}`, state, { ...detail, ...(error ? { error } : {}) }, m);
      return true;
    });
  }

  /**
   * Hands a replay back (shutdown, pause, cancel, an outage): another instance may claim it at once if it still needs
   * one. `error` is shown on the replay meanwhile (why it is not progressing); a later save clears it.
   */
  async release(lease: ReplayLease, error?: { code: string; message: string }): Promise<void> {
    await this.ds.query(
      `UPDATE replay SET lease_owner = NULL, lease_expires_at = NULL, error_code = $4, error_message = $5 WHERE id = $1 AND lease_owner = $2 AND lease_token = $3`,
      [lease.replayId, lease.owner, lease.token, error?.code ?? null, error?.message ?? null],
    );
  }
}
