import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CatalogPartition } from './catalog-partition.entity';

/**
 * One archived Parquet object: where it is, its file layout, totals and arrival-time range. The shards it holds and
 * their sequence ranges are in catalog_object_shard (one row per shard; several for a layout-2 multi-shard object).
 */
@ForeignKey(() => CatalogPartition, ['stream', 'dt', 'hour'], ['stream', 'dt', 'hour'], { name: 'fk_catalog_object_partition', onDelete: 'CASCADE' })
@Check('chk_catalog_object_counts', 'record_count >= 0 AND bytes >= 0')
@Check('chk_catalog_object_layout', 'layout BETWEEN 1 AND 2')
@Index('idx_catalog_object_stream_time', ['stream', 'firstArrivalTime', 'lastArrivalTime'])
@Index('idx_catalog_object_partition', ['stream', 'dt', 'hour'])
@Index('idx_catalog_object_corrupt', ['stream'], { where: 'corrupt_reason IS NOT NULL' })
@Index('idx_catalog_object_retired', ['retiredAt'], { where: 'retired_at IS NOT NULL AND deleted_at IS NULL' })
@Entity({ name: 'catalog_object' })
export class CatalogObject {
  @PrimaryColumn({ name: 'uri', type: 'text', primaryKeyConstraintName: 'pk_catalog_object' })
  uri!: string;

  @Column({ name: 'stream', type: 'text' })
  stream!: string;

  @Column({ name: 'first_arrival_time', type: 'timestamptz' })
  firstArrivalTime!: Date;

  @Column({ name: 'last_arrival_time', type: 'timestamptz' })
  lastArrivalTime!: Date;

  /** all shards together */
  @Column({ name: 'record_count', type: 'bigint' })
  recordCount!: string;

  @Column({ name: 'bytes', type: 'bigint' })
  bytes!: string;

  @Column({ name: 'dt', type: 'text' })
  dt!: string;

  @Column({ name: 'hour', type: 'smallint' })
  hour!: number;

  /** The object's file layout (ARCHIVE_LAYOUTS): 1 = one shard, TIMESTAMP arrival time; 2 = ranges in its metadata. */
  @Column({ name: 'layout', type: 'smallint', default: 1 })
  layout!: number;

  /** The schema version this object's records were merged into; NULL until inference ran on it. */
  @Column({ name: 'schema_version', type: 'integer', nullable: true })
  schemaVersion!: number | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  /** Why the object could not be read as Parquet (truncated, corrupt footer); NULL for a readable object. */
  @Column({ name: 'corrupt_reason', type: 'text', nullable: true })
  corruptReason!: string | null;

  /** When the catalog first found it unreadable. */
  @Column({ name: 'corrupt_at', type: 'timestamptz', nullable: true })
  corruptAt!: Date | null;

  /** The object's field columns (`flux.fields`: `[{path, column}]`); NULL when it has none. */
  @Column({ name: 'field_columns', type: 'jsonb', nullable: true })
  fieldColumns!: { path: string[]; column: string }[] | null;

  /** When a compaction replaced it (a tombstone from then on: readers skip it, a late announcement cannot revive it). */
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt!: Date | null;

  /** The URI of the compacted object that replaced it. */
  @Column({ name: 'replaced_by', type: 'text', nullable: true })
  replacedBy!: string | null;

  /** When its file was deleted from the archive (a grace period after it was retired). */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  /** Set on a compaction's output: how many objects it replaced. */
  @Column({ name: 'compacted_from', type: 'integer', nullable: true })
  compactedFrom!: number | null;
}
