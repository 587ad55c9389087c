import { Check, Column, Entity, PrimaryColumn } from 'typeorm';

/** How a stream's records are catalogued: JSON (with an inferred schema) or opaque bytes. */
export type CatalogStreamFormat = 'json' | 'binary';

/** One row per archived stream the catalog knows. */
@Check('chk_catalog_stream_format', `format IN ('json', 'binary')`)
@Entity({ name: 'catalog_stream' })
export class CatalogStream {
  @PrimaryColumn({ name: 'name', type: 'text', primaryKeyConstraintName: 'pk_catalog_stream' })
  name!: string;

  /** NULL until schema inference has seen a record. */
  @Column({ name: 'format', type: 'text', nullable: true })
  format!: CatalogStreamFormat | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
