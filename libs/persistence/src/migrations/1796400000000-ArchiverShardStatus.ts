import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each shard's archiving status, written by the instance holding its lease with every heartbeat, so any archiver
 * instance can answer GET /v1/streams/:stream/shards for every shard of the cluster: how far behind the stream's
 * tip the shard is, how old its oldest record not yet in the archive is, and the stream's retention period (the
 * deadline after which Kinesis drops that record).
 */
export class ArchiverShardStatus1796400000000 implements MigrationInterface {
  name = 'ArchiverShardStatus1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE archiver_shard_lease
         ADD COLUMN millis_behind_latest bigint,
         ADD COLUMN oldest_unarchived_age_ms bigint,
         ADD COLUMN retention_hours integer,
         ADD COLUMN status_updated_at timestamptz`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE archiver_shard_lease
         DROP COLUMN millis_behind_latest, DROP COLUMN oldest_unarchived_age_ms, DROP COLUMN retention_hours, DROP COLUMN status_updated_at`,
    );
  }
}
