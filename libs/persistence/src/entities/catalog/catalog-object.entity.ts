import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One archived Parquet object: where it is, which shard and sequence range it holds, and when. */
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
