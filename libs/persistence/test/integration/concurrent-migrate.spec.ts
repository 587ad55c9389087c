import { createTestDatabase, type TestDatabase } from '@flux-capacitor/testing';
import { migrate, migrations } from '@flux-capacitor/persistence';

describe('migrate', () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  it('applies every migration exactly once when several processes migrate the same fresh database at once', async () => {
    db = await createTestDatabase({ migrate: false });
    // `fluxcap dev` in two terminals, or several service replicas running `fluxcap migrate` at deploy time.
    const results = await Promise.all([migrate(db.url), migrate(db.url), migrate(db.url)]);
    expect(results.flat().sort()).toEqual(migrations.map((m) => m.name).sort());
    expect(await migrate(db.url)).toEqual([]);
  });
});
