import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CatalogPartition } from './catalog-partition.entity';

/** One archived Parquet object: where it is, which shard and sequence range it holds, and when. */
@ForeignKey(() => CatalogPartition, ['stream', 'dt', 'hour'], ['stream', 'dt', 'hour'], { name: 'fk_catalog_object_partition', onDelete: 'CASCADE' })
@Check('chk_catalog_object_sequence_numbers', `first_sequence_number ~ '^[0-9]+$' AND last_sequence_number ~ '^[0-9]+$'`)
@Check('chk_catalog_object_counts', 'record_count >= 0 AND bytes >= 0')
@Index('idx_catalog_object_stream_time', ['stream', 'firstArrivalTime', 'lastArrivalTime'])
@Index('idx_catalog_object_stream_shard', ['stream', 'shardId'])
@Index('idx_catalog_object_partition', ['stream', 'dt', 'hour'])
@Entity({ name: 'catalog_object' })
export class CatalogObject {
  @PrimaryColumn({ name: 'uri', type: 'text', primaryKeyConstraintName: 'pk_catalog_object' })
  uri!: string;

  @Column({ name: 'stream', type: 'text' })
  stream!: string;

  @Column({ name: 'shard_id', type: 'text' })
  shardId!: string;

  /** Decimal strings; compare as numeric (they are up to 128 bits wide). */
  @Column({ name: 'first_sequence_number', type: 'text' })
  firstSequenceNumber!: string;

  @Column({ name: 'last_sequence_number', type: 'text' })
  lastSequenceNumber!: string;

  @Column({ name: 'first_arrival_time', type: 'timestamptz' })
  firstArrivalTime!: Date;

  @Column({ name: 'last_arrival_time', type: 'timestamptz' })
  lastArrivalTime!: Date;

  @Column({ name: 'record_count', type: 'bigint' })
  recordCount!: string;

  @Column({ name: 'bytes', type: 'bigint' })
  bytes!: string;

  @Column({ name: 'dt', type: 'text' })
  dt!: string;

  @Column({ name: 'hour', type: 'smallint' })
  hour!: number;

  /** The schema version this object's records were merged into; NULL until inference ran on it. */
  @Column({ name: 'schema_version', type: 'integer', nullable: true })
  schemaVersion!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
