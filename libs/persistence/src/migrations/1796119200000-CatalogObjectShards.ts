import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Archive layout 2: one object may hold several shards of a stream and hour. The shard and sequence range move
 * from catalog_object to catalog_object_shard (one row per shard in an object), backfilled from the per-shard
 * objects catalogued so far; catalog_object keeps the object's totals and gains its file layout.
 */
export class CatalogObjectShards1796119200000 implements MigrationInterface {
  name = 'CatalogObjectShards1796119200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE catalog_object_shard (
        uri                   text   NOT NULL,
        shard_id              text   NOT NULL,
        stream                text   NOT NULL,
        first_sequence_number text   NOT NULL,
        last_sequence_number  text   NOT NULL,
        record_count          bigint NOT NULL,
        CONSTRAINT pk_catalog_object_shard PRIMARY KEY (uri, shard_id),
        CONSTRAINT fk_catalog_object_shard_object FOREIGN KEY (uri) REFERENCES catalog_object (uri) ON DELETE CASCADE,
        CONSTRAINT chk_catalog_object_shard_sequence_numbers
          CHECK (first_sequence_number ~ '^[0-9]+$' AND last_sequence_number ~ '^[0-9]+$'),
        CONSTRAINT chk_catalog_object_shard_count CHECK (record_count >= 0)
      )`);
    // Every object catalogued so far holds one shard: its range is the object's.
    await q.query(`
      INSERT INTO catalog_object_shard (uri, shard_id, stream, first_sequence_number, last_sequence_number, record_count)
      SELECT uri, shard_id, stream, first_sequence_number, last_sequence_number, record_count FROM catalog_object`);
    // The live tail's per-shard checkpoints (shardHighWatermarks) read by stream and shard.
    await q.query(`CREATE INDEX idx_catalog_object_shard_stream_shard ON catalog_object_shard (stream, shard_id)`);
    await q.query(`DROP INDEX idx_catalog_object_stream_shard`);
    await q.query(`ALTER TABLE catalog_object DROP CONSTRAINT chk_catalog_object_sequence_numbers`);
    await q.query(`ALTER TABLE catalog_object DROP COLUMN shard_id, DROP COLUMN first_sequence_number, DROP COLUMN last_sequence_number`);
    await q.query(`ALTER TABLE catalog_object ADD COLUMN layout smallint NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE catalog_object ADD CONSTRAINT chk_catalog_object_layout CHECK (layout BETWEEN 1 AND 2)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The previous schema has one shard per object: an object holding several cannot be put back.
    const [{ n }]: { n: number }[] = await q.query(
      `SELECT count(*)::int AS n FROM (SELECT uri FROM catalog_object_shard GROUP BY uri HAVING count(*) > 1) AS multi`,
    );
    if (n > 0) throw new Error(`cannot revert CatalogObjectShards: ${n} catalogued objects hold several shards (rebuild the catalog after the downgrade instead)`);
    await q.query(`ALTER TABLE catalog_object DROP CONSTRAINT chk_catalog_object_layout`);
    await q.query(`ALTER TABLE catalog_object DROP COLUMN layout`);
    await q.query(`ALTER TABLE catalog_object ADD COLUMN shard_id text, ADD COLUMN first_sequence_number text, ADD COLUMN last_sequence_number text`);
    await q.query(`
      UPDATE catalog_object o
         SET shard_id = s.shard_id, first_sequence_number = s.first_sequence_number, last_sequence_number = s.last_sequence_number
        FROM catalog_object_shard s WHERE s.uri = o.uri`);
    await q.query(`
      ALTER TABLE catalog_object ALTER COLUMN shard_id SET NOT NULL, ALTER COLUMN first_sequence_number SET NOT NULL,
                                 ALTER COLUMN last_sequence_number SET NOT NULL`);
    await q.query(`
      ALTER TABLE catalog_object ADD CONSTRAINT chk_catalog_object_sequence_numbers
        CHECK (first_sequence_number ~ '^[0-9]+$' AND last_sequence_number ~ '^[0-9]+$')`);
    await q.query(`CREATE INDEX idx_catalog_object_stream_shard ON catalog_object (stream, shard_id)`);
    await q.query(`DROP TABLE catalog_object_shard`);
  }
}
