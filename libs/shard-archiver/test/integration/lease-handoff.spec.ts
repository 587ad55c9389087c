import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';
import { LeaseRepository } from '../../src/lease/lease.repository';

const LEASE_MS = 30_000;
const TRIM = { type: 'TRIM_HORIZON' as const };

/** The hand-off requests of lease rebalancing, in Postgres: asked once, seen at renewal, reserved for the asker. */
describe('lease hand-off', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let leases: LeaseRepository;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    leases = new LeaseRepository(ds);
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  const shard = async (stream: string) => {
    await leases.syncShards(stream, [{ shardId: 'shard-0', parentShardIds: [], closed: false }], TRIM);
    return (await leases.list(stream))[0];
  };

  it('is asked once, seen by the holder when it renews, and reserves the released lease for the asker', async () => {
    await shard('s1');
    const a = (await leases.acquire('s1', 'shard-0', 'a', LEASE_MS))!.lease;
    expect(await leases.renew(a, LEASE_MS)).toBe('held');

    expect(await leases.requestHandoff('s1', 'shard-0', 'a', 'b', LEASE_MS)).toBe(true);
    // Someone else asked first; a request names the holder it was meant for.
    expect(await leases.requestHandoff('s1', 'shard-0', 'a', 'c', LEASE_MS)).toBe(false);
    expect((await leases.list('s1'))[0]).toMatchObject({ owner: 'a', handoffTo: 'b' });
    // A live lease is never taken by force, by the asker either.
    expect(await leases.acquire('s1', 'shard-0', 'b', LEASE_MS)).toBeNull();

    expect(await leases.renew(a, LEASE_MS)).toBe('hand-off');
    await leases.release(a);
    // Released, but reserved for b: neither a third instance nor the old holder takes it.
    expect(await leases.acquire('s1', 'shard-0', 'c', LEASE_MS)).toBeNull();
    expect(await leases.acquire('s1', 'shard-0', 'a', LEASE_MS)).toBeNull();
    const b = (await leases.acquire('s1', 'shard-0', 'b', LEASE_MS))!;
    expect(BigInt(b.lease.counter)).toBe(BigInt(a.counter) + 1n);
    expect(b.row).toMatchObject({ owner: 'b', handoffTo: null });
    expect(await leases.renew(b.lease, LEASE_MS)).toBe('held');
    // The old holder is fenced out.
    expect(await leases.renew(a, LEASE_MS)).toBe('lost');
  });

  it('lets anyone take a released lease once the request expired, and asks nothing of an expired lease', async () => {
    await shard('s2');
    const a = (await leases.acquire('s2', 'shard-0', 'a', LEASE_MS))!.lease;
    expect(await leases.requestHandoff('s2', 'shard-0', 'a', 'b', 200)).toBe(true);
    await leases.release(a);
    expect(await leases.acquire('s2', 'shard-0', 'c', LEASE_MS)).toBeNull();
    await new Promise((r) => setTimeout(r, 400));
    expect((await leases.list('s2'))[0].handoffTo).toBeNull();
    const c = (await leases.acquire('s2', 'shard-0', 'c', 200))!.lease;
    await new Promise((r) => setTimeout(r, 400));
    // c's lease expired: there is nothing to ask of it; it is simply free to take.
    expect(await leases.requestHandoff('s2', 'shard-0', 'c', 'b', LEASE_MS)).toBe(false);
    expect(await leases.acquire('s2', 'shard-0', 'b', LEASE_MS)).not.toBeNull();
    expect(await leases.renew(c, LEASE_MS)).toBe('lost');
  });
});
