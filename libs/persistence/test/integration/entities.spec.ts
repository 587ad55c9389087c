import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import { createDataSource } from '@flux-capacitor/persistence';
import type { DataSource } from 'typeorm';

describe('entities', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
  });
  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  // The builder compares tables, columns (type, nullability, default), keys, foreign keys, unique constraints,
  // index names and columns, and check names; it does not compare check expressions or index predicates.
  it('describe exactly the schema the migrations build: the schema builder has nothing to change', async () => {
    const { upQueries } = await ds.driver.createSchemaBuilder().log();
    expect(upQueries.map((q) => q.query)).toEqual([]);
  });
});
