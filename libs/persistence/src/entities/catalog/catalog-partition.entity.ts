import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CatalogStream } from './catalog-stream.entity';

/** A Hive partition (dt=YYYY-MM-DD/hour=HH) of a stream's archive, with the location its objects live under. */
@ForeignKey(() => CatalogStream, ['stream'], ['name'], { name: 'fk_catalog_partition_stream', onDelete: 'CASCADE' })
@Check('chk_catalog_partition_dt', `dt ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'`)
@Check('chk_catalog_partition_hour', 'hour BETWEEN 0 AND 23')
@Index('idx_catalog_partition_stream_starts_at', ['stream', 'startsAt'])
@Index('idx_catalog_partition_unsynced', ['stream'], { where: 'synced_at IS NULL' })
@Entity({ name: 'catalog_partition' })
export class CatalogPartition {
  @PrimaryColumn({ name: 'stream', type: 'text', primaryKeyConstraintName: 'pk_catalog_partition' })
  stream!: string;

  /** YYYY-MM-DD (UTC) */
  @PrimaryColumn({ name: 'dt', type: 'text', primaryKeyConstraintName: 'pk_catalog_partition' })
  dt!: string;

  @PrimaryColumn({ name: 'hour', type: 'smallint', primaryKeyConstraintName: 'pk_catalog_partition' })
  hour!: number;

  /** The URI prefix of the partition's objects (s3://bucket/prefix/.../dt=.../hour=... or file:///...). */
  @Column({ name: 'location', type: 'text' })
  location!: string;

  /** dt + hour as an instant, so time-range queries use an index instead of string arithmetic. */
  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt!: Date;

  /** When the configured metastores last accepted this partition; NULL while a sync is pending. */
  @Column({ name: 'synced_at', type: 'timestamptz', nullable: true })
  syncedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
