import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compaction of closed hours (issue 13): an hour's objects are rewritten as one object sorted by partition key, and
 * the objects it replaces are retired, not deleted, in the same transaction. A retired row is a tombstone: readers
 * skip it, and a late announcement of its URI (an archiver's intent recovered after the swap) cannot register it
 * again. `deleted_at` records when its file was removed from the archive, after the grace period.
 * `compacted_from` marks a compaction's output (how many objects it replaced), so it is not rewritten again alone.
 */
export class CatalogCompaction1796600000000 implements MigrationInterface {
  name = 'CatalogCompaction1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE catalog_object ADD COLUMN retired_at timestamptz, ADD COLUMN replaced_by text, ADD COLUMN deleted_at timestamptz, ADD COLUMN compacted_from integer`);
    await q.query(`CREATE INDEX idx_catalog_object_retired ON catalog_object (retired_at) WHERE retired_at IS NOT NULL AND deleted_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    // Without the columns a retired row would read as live (its records counted twice, its file maybe gone): the
    // tombstones go, and the archive keeps no object the catalog needs them for.
    await q.query(`DELETE FROM catalog_object WHERE retired_at IS NOT NULL`);
    await q.query(`DROP INDEX idx_catalog_object_retired`);
    await q.query(`ALTER TABLE catalog_object DROP COLUMN compacted_from, DROP COLUMN deleted_at, DROP COLUMN replaced_by, DROP COLUMN retired_at`);
  }
}
