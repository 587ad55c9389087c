import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, startTcpFaultProxy, type TcpFaultProxy, type TestDatabase } from '@flux-capacitor/testing';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

const QUERY_TIMEOUT_MS = 1000;

/**
 * A statement that times out on the client during a network partition was still sent: when the partition heals,
 * the server runs it. The connection it was on must not go back to the pool, or the next transaction on it runs
 * inside (and commits) what the failed one left open.
 */
describe('a query timed out by a partition (Postgres behind a hanging proxy)', () => {
  let db: TestDatabase;
  let proxy: TcpFaultProxy;
  let ds: DataSource;
  let direct: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const u = new URL(db.url);
    proxy = await startTcpFaultProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.port = String(proxy.port);
    ds = await createDataSource({ url: u.toString(), queryTimeoutMs: QUERY_TIMEOUT_MS }).initialize();
    direct = new Client({ connectionString: db.url });
    await direct.connect();
    await direct.query('CREATE TABLE t (id int PRIMARY KEY)');
  });
  afterAll(async () => {
    await direct?.end();
    await ds?.destroy();
    await proxy?.close();
    await db?.drop();
  });
  beforeEach(async () => {
    proxy.setMode('pass');
    await direct.query('TRUNCATE t');
  });

  const ids = async () => (await direct.query<{ id: number }>('SELECT id FROM t ORDER BY id')).rows.map((r) => r.id);

  it('commits nothing of a transaction that failed mid-way, whatever runs on the pool after the partition', async () => {
    const failed = ds
      .transaction(async (m) => {
        await m.query('INSERT INTO t (id) VALUES (1)');
        proxy.setMode('hang');
        await m.query('INSERT INTO t (id) VALUES (2)');
      })
      .then(
        () => 'committed',
        (err: Error) => err.message,
      );
    expect(await failed).toMatch(/timeout/i);
    proxy.setMode('pass');
    // Later work on the pool, as a service goes on once the database answers again.
    for (let i = 0; i < 5; i++) {
      await ds.transaction((m) => m.query('INSERT INTO t (id) VALUES ($1)', [10 + i]));
      await ds.query('SELECT 1');
    }
    expect(await ids()).toEqual([10, 11, 12, 13, 14]);
  });

  it('leaves no transaction open that holds a lock of the failed one', async () => {
    await direct.query('INSERT INTO t (id) VALUES (1)');
    const failed = ds
      .transaction(async (m) => {
        await m.query('SELECT id FROM t WHERE id = 1 FOR UPDATE');
        proxy.setMode('hang');
        await m.query('SELECT 1');
      })
      .catch((err: Error) => err.message);
    expect(await failed).toMatch(/timeout/i);
    proxy.setMode('pass');
    for (let i = 0; i < 5; i++) await ds.query('SELECT 1');
    // The row is free again: another session locks it at once.
    await direct.query('BEGIN');
    try {
      await direct.query("SET LOCAL lock_timeout = '2s'");
      await expect(direct.query('SELECT id FROM t WHERE id = 1 FOR UPDATE NOWAIT')).resolves.toMatchObject({ rowCount: 1 });
    } finally {
      await direct.query('ROLLBACK');
    }
  });
});
