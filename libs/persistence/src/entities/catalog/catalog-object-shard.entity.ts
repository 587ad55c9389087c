import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { CatalogObject } from './catalog-object.entity';

/** One shard's part of an archived object: the exact, contiguous sequence range of that shard the object holds. */
@ForeignKey(() => CatalogObject, ['uri'], ['uri'], { name: 'fk_catalog_object_shard_object', onDelete: 'CASCADE' })
@Check('chk_catalog_object_shard_sequence_numbers', `first_sequence_number ~ '^[0-9]+$' AND last_sequence_number ~ '^[0-9]+$'`)
@Check('chk_catalog_object_shard_count', 'record_count >= 0')
@Index('idx_catalog_object_shard_stream_shard', ['stream', 'shardId'])
@Entity({ name: 'catalog_object_shard' })
export class CatalogObjectShard {
  @PrimaryColumn({ name: 'uri', type: 'text', primaryKeyConstraintName: 'pk_catalog_object_shard' })
  uri!: string;

  @PrimaryColumn({ name: 'shard_id', type: 'text', primaryKeyConstraintName: 'pk_catalog_object_shard' })
  shardId!: string;

  /** The object's stream, copied here so the per-shard checkpoints of a stream are one index range. */
  @Column({ name: 'stream', type: 'text' })
  stream!: string;

  /** Decimal strings; compare as numeric (they are up to 128 bits wide). */
  @Column({ name: 'first_sequence_number', type: 'text' })
  firstSequenceNumber!: string;

  @Column({ name: 'last_sequence_number', type: 'text' })
  lastSequenceNumber!: string;

  /** this shard's records in the object */
  @Column({ name: 'record_count', type: 'bigint' })
  recordCount!: string;
}
