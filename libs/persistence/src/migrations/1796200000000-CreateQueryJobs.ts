import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The query gateway's asynchronous queries, shared by every replica: state, progress, the replica running each one
 * (with its heartbeat) and where the result lies in the archive store until it expires.
 */
export class CreateQueryJobs1796200000000 implements MigrationInterface {
  name = 'CreateQueryJobs1796200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE query_job (
        id               uuid        NOT NULL,
        owner            text        NOT NULL,
        state            text        NOT NULL,
        engine           text        NOT NULL,
        sql              text        NOT NULL,
        submitted_at     timestamptz NOT NULL DEFAULT now(),
        started_at       timestamptz,
        finished_at      timestamptz,
        replica_id       text        NOT NULL,
        heartbeat_at     timestamptz NOT NULL DEFAULT now(),
        cancel_requested boolean     NOT NULL DEFAULT false,
        progress         jsonb       NOT NULL DEFAULT '{}',
        warnings         jsonb       NOT NULL DEFAULT '[]',
        columns          jsonb,
        row_count        bigint,
        truncated        boolean,
        error            jsonb,
        result_parts     integer,
        result_parquet   boolean     NOT NULL DEFAULT false,
        expires_at       timestamptz,
        CONSTRAINT pk_query_job PRIMARY KEY (id),
        CONSTRAINT ck_query_job_state CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled'))
      )`);
    await q.query(`CREATE INDEX idx_query_job_owner ON query_job (owner, submitted_at, id)`);
    await q.query(`CREATE INDEX idx_query_job_active ON query_job (heartbeat_at) WHERE state IN ('queued', 'running')`);
    await q.query(`CREATE INDEX idx_query_job_expires ON query_job (expires_at) WHERE expires_at IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE query_job`);
  }
}
