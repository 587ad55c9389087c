import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Lease rebalancing: an archiver instance below its fair share asks a busier one to hand a shard over. The holder
 * sees the request when it renews, writes and commits the shard's buffered rows and releases the lease; the
 * released lease stays reserved for the requester until `handoff_expires_at`.
 */
export class ArchiverLeaseHandoff1796300000000 implements MigrationInterface {
  name = 'ArchiverLeaseHandoff1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archiver_shard_lease ADD COLUMN handoff_requested_by text, ADD COLUMN handoff_expires_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE archiver_shard_lease DROP COLUMN handoff_requested_by, DROP COLUMN handoff_expires_at`);
  }
}
