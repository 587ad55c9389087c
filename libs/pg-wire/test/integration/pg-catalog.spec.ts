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

  it('keeps the tables of streams outside the grant out of the mirror altogether (not just out of one transaction)', async () => {
    await catalog.run('SELECT 1', [], [], undefined);
    const limited = new Set(['orders']);
    const r = await catalog.run("SELECT count(*) FROM pg_class WHERE relname = 'payments'", [], [], limited);
    expect(text(r.rows[0][0])).toBe('0');
    // not in the write-ahead log either: that mirror never created the table
    const wal = await catalog.run("SELECT count(*) FROM pg_description WHERE description LIKE '%payments%'", [], [], limited);
    expect(text(wal.rows[0][0])).toBe('0');
  }, 60_000);

  it.each([
    ['a U& identifier', `SELECT U&"pg\\005fread\\005fbinary\\005ffile"('/etc/hostname')`],
    ['SQL run from text', `SELECT query_to_xml('select pg_re'||'ad_file(''/etc/hostname'')', true, true, '')`],
    ['an insert behind a comment', 'INSERT/**/INTO pg_am VALUES (1)'],
    ['a data-modifying CTE', "WITH x AS (DELETE FROM pg_description RETURNING 1) SELECT * FROM x"],
    ['SELECT INTO', 'SELECT 1 INTO t'],
    ['set_config', "SELECT set_config('role', 'postgres', false)"],
    ['SET ROLE', 'SET ROLE postgres'],
  ])('refuses %s with 42501', async (_what, sql) => {
    await expect(catalog.run(sql, [], [], undefined)).rejects.toMatchObject({ code: '42501' });
  });

  it('runs statements as a role that is no superuser: PostgreSQL itself refuses the server functions', async () => {
    const r = await catalog.run('SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)', [], [], undefined);
    expect(r.rows[0].map(text)).toEqual(['reader', 'f']);
    await expect(catalog.run('SELECT pg_current_logfile()', [], [], undefined)).rejects.toMatchObject({ code: '42501' });
  }, 60_000);

  it('still answers what tools ask (information_schema, pg_am, SHOW)', async () => {
    const cols = await catalog.run("SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position", [], [], undefined);
    expect(cols.rows.map((row) => text(row[0]))).toContain('payload');
    const am = await catalog.run('SELECT count(*) FROM pg_am', [], [], undefined);
    expect(Number(text(am.rows[0][0]))).toBeGreaterThan(0);
    const show = await catalog.run('SHOW search_path', [], [], undefined);
    expect(show.rows.length).toBe(1);
  }, 60_000);

  it('describes a stream table with its typed field columns after the base ones, and again after they change', async () => {
    let fields = [{ name: 'customer', type: 'VARCHAR' }, { name: 'address.city', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }];
    const typed = new PgCatalog(async () => ['orders'], { timeoutMs: 30_000 }, async () => fields);
    const columns = async () =>
      (
        await typed.run(
          "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position",
          [],
          [],
          undefined,
        )
      ).rows.map((row) => `${text(row[0])}:${text(row[1])}`);
    try {
      expect((await columns()).slice(8)).toEqual(['customer:text', 'address.city:text', 'amount:double precision']);
      fields = [{ name: 'n', type: 'BIGINT' }];
      expect((await columns()).slice(8)).toEqual(['n:bigint']);
    } finally {
      await typed.close();
    }
  }, 60_000);
  it('leaves out field column names PostgreSQL would cut or repeat, and quotes the rest as they are', async () => {
    // two 71-character names alike in their first 63 bytes: PostgreSQL would cut both to one name
    const long = (end: string) => `payload.${'a'.repeat(57)}.${end}`;
    const fields = [
      { name: long('first'), type: 'VARCHAR' },
      { name: long('other'), type: 'BIGINT' },
      { name: 'payload.customer', type: 'VARCHAR' },
      { name: 'payload', type: 'BIGINT' },
      { name: 'Customer Id', type: 'VARCHAR' },
      { name: 'order', type: 'BOOLEAN' },
      { name: 'é'.repeat(32), type: 'VARCHAR' }, // 32 characters, 64 bytes
      { name: 'payload.customer', type: 'VARCHAR' },
    ];
    expect(long('first')).toHaveLength(71);
    const typed = new PgCatalog(async () => ['orders'], { timeoutMs: 30_000 }, async () => fields);
    try {
      const r = await typed.run("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position", [], [], undefined);
      expect(r.rows.slice(8).map((row) => `${text(row[0])}:${text(row[1])}`)).toEqual(['payload.customer:text', 'Customer Id:text', 'order:boolean']);
    } finally {
      await typed.close();
    }
  }, 60_000);

  it("keeps every other stream's table when one stream's table cannot be created with its field columns", async () => {
    // PostgreSQL refuses a table of more than 1600 columns: that stream's table falls back to the base columns
    const wide = Array.from({ length: 1700 }, (_, i) => ({ name: `payload.f${i}`, type: 'VARCHAR' }));
    const typed = new PgCatalog(async () => ['orders', 'wide'], { timeoutMs: 30_000 }, async (stream) => (stream === 'wide' ? wide : [{ name: 'payload.n', type: 'BIGINT' }]));
    const count = async () =>
      (await typed.run('SELECT table_name, count(*) FROM information_schema.columns WHERE table_name IN ($1, $2) GROUP BY 1 ORDER BY 1', ['orders', 'wide'], [], undefined)).rows.map(
        (row) => `${text(row[0])}:${text(row[1])}`,
      );
    try {
      expect(await count()).toEqual(['orders:9', 'wide:8']);
      // and the next statement still answers, without the failure coming back
      expect(await count()).toEqual(['orders:9', 'wide:8']);
    } finally {
      await typed.close();
    }
  }, 60_000);
});
