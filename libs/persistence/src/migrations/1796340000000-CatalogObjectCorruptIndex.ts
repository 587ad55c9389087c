import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Corrupt objects are few among many: a partial index on them keeps the catalog's corrupt counts (the
 * `flux_catalog_corrupt_objects` gauge at each scrape, `corruptObjectCount` in /v1/streams) off a scan of every object.
 */
export class CatalogObjectCorruptIndex1796340000000 implements MigrationInterface {
  name = 'CatalogObjectCorruptIndex1796340000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_catalog_object_corrupt ON catalog_object (stream) WHERE corrupt_reason IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_catalog_object_corrupt`);
  }
}
