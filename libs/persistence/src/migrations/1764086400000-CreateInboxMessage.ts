import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateInboxMessage1764086400000 implements MigrationInterface {
  name = 'CreateInboxMessage1764086400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE inbox_message (
        consumer     text        NOT NULL,
        message_id   uuid        NOT NULL,
        message_type text        NOT NULL,
        handled_at   timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT pk_inbox_message PRIMARY KEY (consumer, message_id)
      )`);
    await q.query(`CREATE INDEX idx_inbox_message_handled_at ON inbox_message (handled_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE inbox_message`);
  }
}
