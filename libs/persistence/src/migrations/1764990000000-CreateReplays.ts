import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The replay coordinator's state: one row per replay (spec, state, plan summary, counts, the checkpoint it resumes
 * from and the lease that keeps two coordinators from running it at once), its per-source-shard watermarks, and an
 * append-only audit trail.
 */
export class CreateReplays1764990000000 implements MigrationInterface {
  name = 'CreateReplays1764990000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE replay (
        id               uuid             NOT NULL,
        state            text             NOT NULL,
        source_stream    text             NOT NULL,
        target_stream    text             NOT NULL,
        dry_run          boolean          NOT NULL DEFAULT false,
        spec             jsonb            NOT NULL,
        created_by       text             NOT NULL,
        created_at       timestamptz      NOT NULL DEFAULT now(),
        updated_at       timestamptz      NOT NULL DEFAULT now(),
        started_at       timestamptz,
        finished_at      timestamptz,
        plan             jsonb,
        plan_key         text,
        source_shards    jsonb,
        records_selected bigint           NOT NULL DEFAULT 0,
        bytes_selected   bigint           NOT NULL DEFAULT 0,
        records_put      bigint           NOT NULL DEFAULT 0,
        records_failed   bigint           NOT NULL DEFAULT 0,
        bytes_put        bigint           NOT NULL DEFAULT 0,
        checkpoint       bigint           NOT NULL DEFAULT 0,
        acked_ahead      jsonb            NOT NULL DEFAULT '[]',
        start_marked     boolean          NOT NULL DEFAULT false,
        rate_per_second  double precision NOT NULL DEFAULT 0,
        failures         jsonb            NOT NULL DEFAULT '[]',
        error_code       text,
        error_message    text,
        lease_owner      text,
        lease_token      bigint           NOT NULL DEFAULT 0,
        lease_expires_at timestamptz,
        CONSTRAINT pk_replay PRIMARY KEY (id),
        CONSTRAINT ck_replay_state
          CHECK (state IN ('planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled')),
        CONSTRAINT ck_replay_checkpoint CHECK (checkpoint >= 0)
      )`);
    await q.query(`CREATE INDEX idx_replay_created_at ON replay (created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX idx_replay_claimable ON replay (state, lease_expires_at) WHERE state IN ('planning', 'running')`);
    await q.query(`
      CREATE TABLE replay_watermark (
        replay_id       uuid NOT NULL,
        shard_id        text NOT NULL,
        sequence_number text NOT NULL,
        CONSTRAINT pk_replay_watermark PRIMARY KEY (replay_id, shard_id),
        CONSTRAINT fk_replay_watermark_replay FOREIGN KEY (replay_id) REFERENCES replay (id) ON DELETE CASCADE,
        CONSTRAINT ck_replay_watermark_sequence CHECK (sequence_number ~ '^[0-9]+$')
      )`);
    await q.query(`
      CREATE TABLE replay_audit (
        id        bigserial   NOT NULL,
        replay_id uuid        NOT NULL,
        at        timestamptz NOT NULL DEFAULT now(),
        actor     text        NOT NULL,
        action    text        NOT NULL,
        detail    jsonb       NOT NULL DEFAULT '{}',
        CONSTRAINT pk_replay_audit PRIMARY KEY (id),
        CONSTRAINT fk_replay_audit_replay FOREIGN KEY (replay_id) REFERENCES replay (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX idx_replay_audit_replay ON replay_audit (replay_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE replay_audit`);
    await q.query(`DROP TABLE replay_watermark`);
    await q.query(`DROP TABLE replay`);
  }
}
