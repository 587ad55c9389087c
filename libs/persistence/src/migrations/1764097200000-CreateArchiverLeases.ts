import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The archiver's coordination state: one lease per (stream, shard) carrying its owner, heartbeat, expiry and
 * checkpoint, and at most one write intent per shard recording the exact range the next archive object covers.
 */
export class CreateArchiverLeases1764097200000 implements MigrationInterface {
  name = 'CreateArchiverLeases1764097200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE archiver_shard_lease (
        stream_name                text        NOT NULL,
        shard_id                   text        NOT NULL,
        parent_shard_ids           text[]      NOT NULL DEFAULT '{}',
        initial_position           text        NOT NULL DEFAULT 'TRIM_HORIZON',
        initial_timestamp          timestamptz,
        owner                      text,
        lease_counter              bigint      NOT NULL DEFAULT 0,
        lease_expires_at           timestamptz,
        heartbeat_at               timestamptz,
        checkpoint_sequence_number text,
        checkpointed_at            timestamptz,
        finished_at                timestamptz,
        created_at                 timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_archiver_shard_lease PRIMARY KEY (stream_name, shard_id),
        CONSTRAINT ck_archiver_shard_lease_initial_position
          CHECK (initial_position IN ('TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP')),
        CONSTRAINT ck_archiver_shard_lease_checkpoint CHECK (checkpoint_sequence_number ~ '^[0-9]+$')
      )`);
    await q.query(`CREATE INDEX idx_archiver_shard_lease_owner ON archiver_shard_lease (owner, lease_expires_at)`);
    await q.query(`
      CREATE TABLE archiver_intent (
        stream_name           text        NOT NULL,
        shard_id              text        NOT NULL,
        first_sequence_number text        NOT NULL,
        last_sequence_number  text        NOT NULL,
        object_key            text        NOT NULL,
        record_count          integer     NOT NULL,
        lease_counter         bigint      NOT NULL,
        created_at            timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_archiver_intent PRIMARY KEY (stream_name, shard_id),
        CONSTRAINT fk_archiver_intent_lease FOREIGN KEY (stream_name, shard_id)
          REFERENCES archiver_shard_lease (stream_name, shard_id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE archiver_intent`);
    await q.query(`DROP TABLE archiver_shard_lease`);
  }
}
