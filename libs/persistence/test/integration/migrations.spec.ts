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
