import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';
import { LeaseRepository } from '../../src/lease/lease.repository';
import { ArchiveStatusReader } from '../../src/status/archive-status.reader';

const LEASE_MS = 30_000;
const HEARTBEAT_MS = 10_000;

/** The status a lease holder reports with its heartbeat, as the status API reads it back. */
describe('shard status with the lease heartbeat', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let leases: LeaseRepository;
  let reader: ArchiveStatusReader;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    leases = new LeaseRepository(ds);
    reader = new ArchiveStatusReader(ds, HEARTBEAT_MS);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('stores when the oldest unarchived record arrived, so its age grows after the report', async () => {
    await leases.syncShards('grow', [{ shardId: 'shard-0', parentShardIds: [], closed: false }], { type: 'TRIM_HORIZON' });
    const a = (await leases.acquire('grow', 'shard-0', 'a', LEASE_MS))!.lease;
    await leases.renew(a, LEASE_MS, { millisBehindLatest: 0, oldestUnarchivedAgeMs: 60_000, retentionHours: 24 });
    // The holder then goes quiet: an hour passes (moved into the past rather than waited for).
    await ds.query(`UPDATE archiver_shard_lease SET oldest_unarchived_at = oldest_unarchived_at - interval '1 hour', status_updated_at = status_updated_at - interval '1 hour' WHERE stream_name = 'grow'`);
    const [shard] = (await reader.getStream('grow'))!.shards;
    expect(shard.oldestUnarchivedAgeMs).toBeGreaterThanOrEqual(3_660_000);
    expect(shard.oldestUnarchivedAgeMs).toBeLessThan(3_660_000 + 60_000);
    expect(shard.stale).toBe(true);
  });

  it('clears the previous holder’s report when a new holder acquires the lease', async () => {
    await leases.syncShards('handover', [{ shardId: 'shard-0', parentShardIds: [], closed: false }], { type: 'TRIM_HORIZON' });
    const a = (await leases.acquire('handover', 'shard-0', 'a', LEASE_MS))!.lease;
    await leases.renew(a, LEASE_MS, { millisBehindLatest: 5000, oldestUnarchivedAgeMs: 60_000, retentionHours: 24 });
    expect((await reader.getStream('handover'))!.shards[0]).toMatchObject({ millisBehindLatest: 5000, stale: false });
    await ds.query(`UPDATE archiver_shard_lease SET lease_expires_at = now() - interval '1 second' WHERE stream_name = 'handover'`);
    await leases.acquire('handover', 'shard-0', 'b', LEASE_MS);
    expect((await reader.getStream('handover'))!.shards[0]).toMatchObject({
      owner: 'b',
      millisBehindLatest: null,
      oldestUnarchivedAgeMs: null,
      statusUpdatedAt: null,
      stale: true,
    });
  });
});
