import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ReplayStateName = 'planning' | 'planned' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';

/**
 * One replay: its spec, state and plan summary, the counts shown as progress, the checkpoint (ordinal of the first
 * planned record not yet acknowledged by Kinesis, all before it are) and the lease (owner, fencing token, expiry).
 */
@Check('ck_replay_state', `state IN ('planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled')`)
@Check('ck_replay_checkpoint', 'checkpoint >= 0')
// On (created_at DESC, id DESC): TypeORM cannot declare a descending index, so only its name is declared here and
// the migration owns its columns.
@Index('idx_replay_created_at', { synchronize: false })
@Index('idx_replay_claimable', ['state', 'leaseExpiresAt'], { where: `state IN ('planning', 'running')` })
@Entity({ name: 'replay' })
export class Replay {
  @PrimaryColumn({ name: 'id', type: 'uuid', primaryKeyConstraintName: 'pk_replay' })
  id!: string;

  @Column({ name: 'state', type: 'text' })
  state!: ReplayStateName;

  @Column({ name: 'source_stream', type: 'text' })
  sourceStream!: string;

  @Column({ name: 'target_stream', type: 'text' })
  targetStream!: string;

  @Column({ name: 'dry_run', type: 'boolean', default: false })
  dryRun!: boolean;

  @Column({ name: 'spec', type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'plan', type: 'jsonb', nullable: true })
  plan!: Record<string, unknown> | null;

  @Column({ name: 'plan_key', type: 'text', nullable: true })
  planKey!: string | null;

  @Column({ name: 'source_shards', type: 'jsonb', nullable: true })
  sourceShards!: { shardId: string; parentShardId: string | null; adjacentParentShardId: string | null }[] | null;

  @Column({ name: 'records_selected', type: 'bigint', default: 0 })
  recordsSelected!: string;

  @Column({ name: 'bytes_selected', type: 'bigint', default: 0 })
  bytesSelected!: string;

  @Column({ name: 'records_put', type: 'bigint', default: 0 })
  recordsPut!: string;

  @Column({ name: 'records_failed', type: 'bigint', default: 0 })
  recordsFailed!: string;

  @Column({ name: 'bytes_put', type: 'bigint', default: 0 })
  bytesPut!: string;

  @Column({ name: 'checkpoint', type: 'bigint', default: 0 })
  checkpoint!: string;

  /** ordinals past the checkpoint that Kinesis already acknowledged, as [first, last] ranges: not sent again */
  @Column({ name: 'acked_ahead', type: 'jsonb', default: () => "'[]'" })
  ackedAhead!: [number, number][];

  @Column({ name: 'start_marked', type: 'boolean', default: false })
  startMarked!: boolean;

  @Column({ name: 'rate_per_second', type: 'double precision', default: 0 })
  ratePerSecond!: number;

  @Column({ name: 'failures', type: 'jsonb', default: () => "'[]'" })
  failures!: { ordinal: number; partitionKey: string; errorCode: string; message: string }[];

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode!: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage!: string | null;

  @Column({ name: 'lease_owner', type: 'text', nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_token', type: 'bigint', default: 0 })
  leaseToken!: string;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;
}
