import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One shard of an archived stream: who archives it (owner, lease counter as fencing token, expiry), where the
 * archive stands (checkpoint: last Kinesis sequence number durable in an object and announced) and whether the
 * shard is finished (closed by a reshard and fully archived). The archiver updates it with fenced SQL.
 */
@Check('ck_archiver_shard_lease_initial_position', `initial_position IN ('TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP')`)
@Check('ck_archiver_shard_lease_checkpoint', `checkpoint_sequence_number ~ '^[0-9]+$'`)
@Index('idx_archiver_shard_lease_owner', ['owner', 'leaseExpiresAt'])
@Entity({ name: 'archiver_shard_lease' })
export class ShardLease {
  @PrimaryColumn({ name: 'stream_name', type: 'text', primaryKeyConstraintName: 'pk_archiver_shard_lease' })
  streamName!: string;

  @PrimaryColumn({ name: 'shard_id', type: 'text', primaryKeyConstraintName: 'pk_archiver_shard_lease' })
  shardId!: string;

  @Column({ name: 'parent_shard_ids', type: 'text', array: true, default: () => "'{}'" })
  parentShardIds!: string[];

  @Column({ name: 'initial_position', type: 'text', default: 'TRIM_HORIZON' })
  initialPosition!: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

  @Column({ name: 'initial_timestamp', type: 'timestamptz', nullable: true })
  initialTimestamp!: Date | null;

  @Column({ name: 'owner', type: 'text', nullable: true })
  owner!: string | null;

  @Column({ name: 'lease_counter', type: 'bigint', default: 0 })
  leaseCounter!: string;

  @Column({ name: 'lease_expires_at', type: 'timestamptz', nullable: true })
  leaseExpiresAt!: Date | null;

  @Column({ name: 'heartbeat_at', type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  @Column({ name: 'checkpoint_sequence_number', type: 'text', nullable: true })
  checkpointSequenceNumber!: string | null;

  @Column({ name: 'checkpointed_at', type: 'timestamptz', nullable: true })
  checkpointedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** An instance below its fair share asked the holder to hand this shard over (it stays reserved for it until expiry). */
  @Column({ name: 'handoff_requested_by', type: 'text', nullable: true })
  handoffRequestedBy!: string | null;

  @Column({ name: 'handoff_expires_at', type: 'timestamptz', nullable: true })
  handoffExpiresAt!: Date | null;

  /** Status the lease holder reports with each heartbeat (GET /v1/streams/:stream/shards); NULL before the first. */
  @Column({ name: 'millis_behind_latest', type: 'bigint', nullable: true })
  millisBehindLatest!: string | null;

  @Column({ name: 'oldest_unarchived_age_ms', type: 'bigint', nullable: true })
  oldestUnarchivedAgeMs!: string | null;

  /** The stream's retention period as the holder last read it. */
  @Column({ name: 'retention_hours', type: 'integer', nullable: true })
  retentionHours!: number | null;

  @Column({ name: 'status_updated_at', type: 'timestamptz', nullable: true })
  statusUpdatedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
