import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An archive object the catalog could not read as Parquet (truncated, corrupt footer) is kept and marked: why
 * (`corrupt_reason`) and since when (`corrupt_at`). Both NULL for a readable object.
 */
export class CatalogObjectCorrupt1796131000000 implements MigrationInterface {
  name = 'CatalogObjectCorrupt1796131000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE catalog_object ADD COLUMN corrupt_reason text NULL, ADD COLUMN corrupt_at timestamptz NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE catalog_object DROP COLUMN corrupt_at, DROP COLUMN corrupt_reason`);
  }
}
