import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { ShardLease } from './shard-lease.entity';

/**
 * The exact range the next archive object of a shard covers, recorded before the object is written. An object of
 * several shards has one row per shard, all with its key. Recovery rewrites exactly these ranges under the same
 * key, so no record ever lands in two objects.
 */
@Index('idx_archiver_intent_object', ['streamName', 'objectKey'])
@ForeignKey(() => ShardLease, ['streamName', 'shardId'], ['streamName', 'shardId'], { name: 'fk_archiver_intent_lease', onDelete: 'CASCADE' })
@Entity({ name: 'archiver_intent' })
export class ArchiveIntent {
  @PrimaryColumn({ name: 'stream_name', type: 'text', primaryKeyConstraintName: 'pk_archiver_intent' })
  streamName!: string;

  @PrimaryColumn({ name: 'shard_id', type: 'text', primaryKeyConstraintName: 'pk_archiver_intent' })
  shardId!: string;

  @Column({ name: 'first_sequence_number', type: 'text' })
  firstSequenceNumber!: string;

  @Column({ name: 'last_sequence_number', type: 'text' })
  lastSequenceNumber!: string;

  @Column({ name: 'object_key', type: 'text' })
  objectKey!: string;

  @Column({ name: 'record_count', type: 'integer' })
  recordCount!: number;

  @Column({ name: 'lease_counter', type: 'bigint' })
  leaseCounter!: string;

  /** The field columns the object is written with (`[{path, column}]`, the same on every row of the key); NULL: none. */
  @Column({ name: 'field_columns', type: 'jsonb', nullable: true })
  fieldColumns!: { path: string[]; column: string }[] | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
