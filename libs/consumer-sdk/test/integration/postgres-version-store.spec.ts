import { MemoryVersionStore, PostgresVersionStore, ReplayAwareConsumer, encodeReplayRecord, type StoredVersion } from '@flux-capacitor/consumer-sdk';
import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import { Pool } from 'pg';

const version = (sequenceNumber: string, arrivalTime: number): StoredVersion['version'] => ({
  stream: 'orders',
  shardId: 'shardId-000000000001',
  sequenceNumber,
  subSequenceNumber: 2,
  arrivalTime,
});

describe('PostgresVersionStore (real Postgres)', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    pool = new Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('keeps one row per key, with 56-digit sequence numbers and millisecond arrival times exact', async () => {
    const store = new PostgresVersionStore(pool, { consumer: 'billing' });
    await store.ensureSchema();
    await store.ensureSchema();
    expect(await store.get('k')).toBeUndefined();
    const first: StoredVersion = { version: version('49590338271490256608559692538361571095921575989136588818', 1767225600123), replayId: 'r-1' };
    await store.put('k', first);
    expect(await store.get('k')).toEqual(first);
    const second: StoredVersion = { version: version('49590338271490256608559692538361571095921575989136588819', 1767225600124) };
    await store.put('k', second);
    expect(await store.get('k')).toEqual(second);
    expect(await store.size()).toBe(1);
    const rows = await pool.query('SELECT count(*)::int AS n FROM flux_consumer_versions');
    expect(rows.rows[0].n).toBe(1);
  });

  it('separates consumers sharing a table, and takes another table name', async () => {
    const a = new PostgresVersionStore(pool, { consumer: 'a', table: 'versions_x' });
    const b = new PostgresVersionStore(pool, { consumer: 'b', table: 'versions_x' });
    await a.ensureSchema();
    await a.put('k', { version: version('1', 1) });
    expect(await b.get('k')).toBeUndefined();
    expect(await a.size()).toBe(1);
    expect(await b.size()).toBe(0);
    expect(() => new PostgresVersionStore(pool, { consumer: 'a', table: 'x; DROP TABLE y' })).toThrow(/not a lower-case SQL identifier/);
  });

  it('gives the same decisions as the memory store, across a consumer restart', async () => {
    const store = new PostgresVersionStore(pool, { consumer: 'restart' });
    await store.ensureSchema();
    const live = { stream: 'orders', shardId: 'shardId-000000000000', sequenceNumber: '200', partitionKey: 'a', arrivalTime: 2000, data: Buffer.from('v2') };
    const stale = {
      ...live,
      sequenceNumber: '900',
      data: encodeReplayRecord(
        { replayId: 'r', op: 'upsert', source: { stream: 'orders', shardId: 'shardId-000000000000', sequenceNumber: '100', subSequenceNumber: 0, partitionKey: 'a', arrivalTime: '2026-01-01T00:00:00.000Z' }, annotations: {} },
        Buffer.from('v1'),
      ),
    };
    await new ReplayAwareConsumer({ store }).process(live, () => undefined);
    // A new process: only the table remembers that v2 was applied.
    const afterRestart = new ReplayAwareConsumer({ store: new PostgresVersionStore(pool, { consumer: 'restart' }) });
    expect((await afterRestart.decide(stale)).reason).toBe('older');
    expect((await new ReplayAwareConsumer({ store: new MemoryVersionStore() }).decide(stale)).reason).toBe('new');
  });
});
