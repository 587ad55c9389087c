import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type QueryJobStateName = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/**
 * One asynchronous query of the gateway: who asked, its state and progress, which replica runs it (and when that
 * replica last said it still does), and where its result lies in the archive store until `expires_at`.
 */
@Check('ck_query_job_state', `state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')`)
@Index('idx_query_job_owner', ['owner', 'submittedAt', 'id'])
@Index('idx_query_job_active', ['heartbeatAt'], { where: `state IN ('queued', 'running')` })
@Index('idx_query_job_expires', ['expiresAt'], { where: 'expires_at IS NOT NULL' })
@Entity({ name: 'query_job' })
export class QueryJob {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'pk_query_job' })
  id!: string;

  /** the principal id of the bearer token that submitted it */
  @Column({ name: 'owner', type: 'text' })
  owner!: string;

  @Column({ name: 'state', type: 'text' })
  state!: QueryJobStateName;

  @Column({ name: 'engine', type: 'text' })
  engine!: string;

  @Column({ name: 'sql', type: 'text' })
  sql!: string;

  @Column({ name: 'submitted_at', type: 'timestamptz', default: () => 'now()' })
  submittedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** the gateway replica running it; it refreshes `heartbeat_at` while the query is queued or running */
  @Column({ name: 'replica_id', type: 'text' })
  replicaId!: string;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', default: () => 'now()' })
  heartbeatAt!: Date;

  /** set by a replica asked to cancel a query another replica runs; the runner sees it on its next heartbeat */
  @Column({ name: 'cancel_requested', type: 'boolean', default: false })
  cancelRequested!: boolean;

  @Column({ name: 'progress', type: 'jsonb', default: () => "'{}'" })
  progress!: Record<string, number>;

  @Column({ name: 'warnings', type: 'jsonb', default: () => "'[]'" })
  warnings!: string[];

  @Column({ name: 'columns', type: 'jsonb', nullable: true })
  columns!: { name: string; type: string }[] | null;

  @Column({ name: 'row_count', type: 'bigint', nullable: true })
  rowCount!: string | null;

  @Column({ name: 'truncated', type: 'boolean', nullable: true })
  truncated!: boolean | null;

  @Column({ name: 'error', type: 'jsonb', nullable: true })
  error!: { code: string; message: string; details?: Record<string, unknown> } | null;

  /** how many NDJSON parts the stored result has (`_results/<id>/part-NNNNN.ndjson`); null while there is none */
  @Column({ name: 'result_parts', type: 'integer', nullable: true })
  resultParts!: number | null;

  /** whether `_results/<id>/result.parquet` was stored too (engines that can export Parquet) */
  @Column({ name: 'result_parquet', type: 'boolean', default: false })
  resultParquet!: boolean;

  /** when the row and its stored result are swept; set once the query finished */
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;
}
