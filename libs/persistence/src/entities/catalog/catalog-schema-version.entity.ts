import { Check, Column, Entity, ForeignKey, PrimaryColumn, Unique } from 'typeorm';
import { CatalogStream } from './catalog-stream.entity';

/**
 * How long the string values seen at a path are, in UTF-8 bytes of the decoded string (what a field column would
 * store). Mergeable: means are weighted by `count`, which is capped (CatalogWriter's merge) so that the mean follows
 * a field whose values change length rather than its whole history.
 */
export interface CatalogStringLengths {
  /** string values measured (capped by the merge, so a weight rather than a total) */
  count: number;
  /** their mean length in bytes */
  meanBytes: number;
  /** the longest seen, in bytes */
  maxBytes: number;
}

/** A field of an inferred JSON schema, as stored in catalog_schema_version.fields. */
export interface CatalogSchemaField {
  /** Dotted path from the record root; array elements are `[]` (e.g. `items[].sku`). */
  path: string;
  /** JSON types seen at this path: string, integer, number, boolean, object, array (null is `nullable`). */
  types: string[];
  /** true when the path was null or missing in some record that had its parent. */
  nullable: boolean;
  /** ISO-8601 arrival times of the first and last record seen with this path. */
  firstSeen: string;
  lastSeen: string;
  /**
   * Lengths of the string values seen at this path. Absent when the path held no string, and in schemas stored
   * before lengths were measured (unknown: read as such, filled in by the next merge). Not part of the fingerprint:
   * lengths moving never make a new version.
   */
  stringLengths?: CatalogStringLengths;
}

/**
 * A version of a stream's inferred schema. A new version is written when a field, a type or nullability
 * appears; `last_seen` of the latest version moves forward as more records match it, and its fields' string
 * lengths are updated in place.
 */
@ForeignKey(() => CatalogStream, ['stream'], ['name'], { name: 'fk_catalog_schema_version_stream', onDelete: 'CASCADE' })
@Unique('uq_catalog_schema_version_fingerprint', ['stream', 'fingerprint'])
@Check('chk_catalog_schema_version_format', `format IN ('json', 'binary')`)
@Entity({ name: 'catalog_schema_version' })
export class CatalogSchemaVersion {
  @PrimaryColumn({ name: 'stream', type: 'text', primaryKeyConstraintName: 'pk_catalog_schema_version' })
  stream!: string;

  @PrimaryColumn({ name: 'version', type: 'integer', primaryKeyConstraintName: 'pk_catalog_schema_version' })
  version!: number;

  @Column({ name: 'format', type: 'text' })
  format!: 'json' | 'binary';

  @Column({ name: 'fields', type: 'jsonb' })
  fields!: CatalogSchemaField[];

  /** Hash of the paths, types and nullability: two versions never share one. */
  @Column({ name: 'fingerprint', type: 'text' })
  fingerprint!: string;

  @Column({ name: 'first_seen', type: 'timestamptz' })
  firstSeen!: Date;

  @Column({ name: 'last_seen', type: 'timestamptz' })
  lastSeen!: Date;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;
}
