import { PgCatalog } from '@flux-capacitor/pg-wire';

/** The catalog mirror runs in a worker thread: a runaway statement is stopped and the gateway's event loop stays free. */

let catalog: PgCatalog;

beforeAll(() => {
  catalog = new PgCatalog(async () => ['orders', 'payments'], { timeoutMs: 1_500, maxRows: 1_000 });
});

afterAll(async () => {
  await catalog?.close();
});

const text = (b: Buffer | null) => b?.toString();

describe('PgCatalog in a worker thread', () => {
  it('answers a catalog statement', async () => {
    const r = await catalog.run("SELECT relname FROM pg_class WHERE relname = 'orders'", [], [], undefined);
    expect(r.rows.map((row) => text(row[0]))).toEqual(['orders']);
  }, 60_000);

  it('stops a statement that would never end with 57014, keeps the event loop running, and answers the next statement', async () => {
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 50);
    try {
      await expect(catalog.run('SELECT count(*) FROM pg_class, generate_series(1,1e12)', [], [], undefined)).rejects.toMatchObject({ code: '57014' });
    } finally {
      clearInterval(ticker);
    }
    // the main thread ran timers while the statement ran (a blocked loop would have run none)
    expect(ticks).toBeGreaterThan(0);
    const r = await catalog.run('SELECT 1 AS one', [], [], undefined);
    expect(r.rows.map((row) => text(row[0]))).toEqual(['1']);
  }, 60_000);

  it('refuses an answer with more rows than the cap (54000)', async () => {
    await expect(catalog.run('SELECT g FROM generate_series(1, 5000) g', [], [], undefined)).rejects.toMatchObject({ code: '54000' });
  }, 60_000);

  it('hides the streams outside the grant', async () => {
    const r = await catalog.run("SELECT relname FROM pg_class WHERE relname IN ('orders', 'payments') ORDER BY 1", [], [], new Set(['orders']));
    expect(r.rows.map((row) => text(row[0]))).toEqual(['orders']);
  }, 60_000);
});
