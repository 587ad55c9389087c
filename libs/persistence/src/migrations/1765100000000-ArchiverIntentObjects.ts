import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An archive object may now hold the records of several shards: its write intent is one row per shard, all with
 * the object's key, committed and recovered together. Looks them up by key.
 */
export class ArchiverIntentObjects1765100000000 implements MigrationInterface {
  name = 'ArchiverIntentObjects1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX idx_archiver_intent_object ON archiver_intent (stream_name, object_key)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX idx_archiver_intent_object`);
  }
}
