import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import { Client } from 'pg';
import { MIGRATIONS_TABLE, migrate, migrations, revert } from '@flux-capacitor/persistence';

async function tables(url: string): Promise<string[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`);
    return rows.map((r) => r.tablename as string);
  } finally {
    await c.end();
  }
}

describe('migrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
  });
  afterAll(() => db.drop());

  it('apply every migration to an empty database, then revert all of them, then apply again', async () => {
    expect(await tables(db.url)).toEqual([]);
    const applied = await migrate(db.url);
    expect(applied).toEqual(migrations.map((m) => m.name));
    expect(await tables(db.url)).toContain('inbox_message');
    expect(await migrate(db.url)).toEqual([]);

    const reverted = await revert(db.url, migrations.length);
    expect(reverted).toEqual(migrations.map((m) => m.name).reverse());
    expect(await tables(db.url)).toEqual([MIGRATIONS_TABLE]);

    expect(await migrate(db.url)).toHaveLength(migrations.length);
  });
});

describe('migration CatalogObjectShards', () => {
  // Later migrations are reverted with it and applied again with it.
  const name = 'CatalogObjectShards1796119200000';
  const sinceIt = migrations.slice(migrations.findIndex((m) => m.name === name)).map((m) => m.name);
  let db: TestDatabase;
  let pg: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  it('moves each catalogued object range into catalog_object_shard (layout 1), and reverts while objects hold one shard', async () => {
    await migrate(db.url);
    await revert(db.url, sinceIt.length);
    await pg.query(`INSERT INTO catalog_stream (name) VALUES ('orders')`);
    await pg.query(`INSERT INTO catalog_partition (stream, dt, hour, location, starts_at) VALUES ('orders', '2026-11-25', 10, 'file:///a/orders/dt=2026-11-25/hour=10', '2026-11-25T10:00:00Z')`);
    await pg.query(
      `INSERT INTO catalog_object (uri, stream, shard_id, first_sequence_number, last_sequence_number, first_arrival_time, last_arrival_time, record_count, bytes, dt, hour)
       VALUES ('file:///a/orders/dt=2026-11-25/hour=10/s0-1-9.parquet', 'orders', 's0', '1', '9', now(), now(), 9, 900, '2026-11-25', 10)`,
    );

    expect(await migrate(db.url)).toEqual(sinceIt);
    const { rows: shards } = await pg.query(`SELECT uri, shard_id, stream, first_sequence_number, last_sequence_number, record_count FROM catalog_object_shard`);
    expect(shards).toEqual([{ uri: 'file:///a/orders/dt=2026-11-25/hour=10/s0-1-9.parquet', shard_id: 's0', stream: 'orders', first_sequence_number: '1', last_sequence_number: '9', record_count: '9' }]);
    expect((await pg.query(`SELECT layout FROM catalog_object`)).rows).toEqual([{ layout: 1 }]);

    expect(await revert(db.url, sinceIt.length)).toEqual([...sinceIt].reverse());
    expect((await pg.query(`SELECT shard_id, first_sequence_number, last_sequence_number FROM catalog_object`)).rows).toEqual([
      { shard_id: 's0', first_sequence_number: '1', last_sequence_number: '9' },
    ]);
  });

  it('refuses to revert once an object holds several shards', async () => {
    await migrate(db.url);
    const uri = 'file:///a/orders/dt=2026-11-25/hour=10/part-0123456789ab.parquet';
    await pg.query(
      `INSERT INTO catalog_object (uri, stream, first_arrival_time, last_arrival_time, record_count, bytes, dt, hour, layout)
       VALUES ($1, 'orders', now(), now(), 4, 400, '2026-11-25', 10, 2)`,
      [uri],
    );
    await pg.query(`INSERT INTO catalog_object_shard (uri, shard_id, stream, first_sequence_number, last_sequence_number, record_count) VALUES ($1, 's0', 'orders', '10', '11', 2), ($1, 's1', 'orders', '10', '11', 2)`, [uri]);
    await expect(revert(db.url, sinceIt.length)).rejects.toThrow(/hold several shards/);
  });
});

describe('migration ArchiverShardStatus', () => {
  const name = 'ArchiverShardStatus1796400000000';
  const sinceIt = migrations.slice(migrations.findIndex((m) => m.name === name)).map((m) => m.name);
  let db: TestDatabase;
  let pg: Client;
  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
  });

  const statusColumns = async () =>
    (
      await pg.query(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_name = 'archiver_shard_lease' AND column_name IN ('millis_behind_latest', 'oldest_unarchived_age_ms', 'retention_hours', 'status_updated_at')
          ORDER BY column_name`,
      )
    ).rows;

  it('adds the shard status columns to existing leases (NULL until their holder reports), and reverts keeping the leases', async () => {
    await migrate(db.url);
    await revert(db.url, sinceIt.length);
    expect(await statusColumns()).toEqual([]);
    await pg.query(`INSERT INTO archiver_shard_lease (stream_name, shard_id, checkpoint_sequence_number) VALUES ('orders', 'shardId-000000000000', '42')`);

    expect(await migrate(db.url)).toEqual(sinceIt);
    expect(await statusColumns()).toEqual([
      { column_name: 'millis_behind_latest', data_type: 'bigint' },
      { column_name: 'oldest_unarchived_age_ms', data_type: 'bigint' },
      { column_name: 'retention_hours', data_type: 'integer' },
      { column_name: 'status_updated_at', data_type: 'timestamp with time zone' },
    ]);
    expect((await pg.query(`SELECT checkpoint_sequence_number, status_updated_at FROM archiver_shard_lease`)).rows).toEqual([
      { checkpoint_sequence_number: '42', status_updated_at: null },
    ]);

    expect(await revert(db.url, sinceIt.length)).toEqual([...sinceIt].reverse());
    expect(await statusColumns()).toEqual([]);
    expect((await pg.query(`SELECT checkpoint_sequence_number FROM archiver_shard_lease`)).rows).toEqual([{ checkpoint_sequence_number: '42' }]);
  });
});
