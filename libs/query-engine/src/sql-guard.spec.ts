import { QueryRejectedError } from './query.errors';
import { SqlAnalyzer } from './sql-analysis';

const analyzer = new SqlAnalyzer();

async function rejection(sql: string): Promise<QueryRejectedError> {
  const err = await analyzer.analyze(sql).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(QueryRejectedError);
  return err as QueryRejectedError;
}

describe('SQL guard: a query reads streams and nothing else', () => {
  it.each([
    ['a file path', "SELECT * FROM '/etc/passwd'"],
    ['a file in the working directory', "SELECT * FROM 'package.json'"],
    ['an escape string', "SELECT * FROM E'/etc/passwd'"],
    ['a dollar-quoted string', 'SELECT * FROM $$/etc/passwd$$'],
    ['a URL', "SELECT * FROM 'http://169.254.169.254/latest/meta-data'"],
    ['a glob after multi-byte text', "SELECT 'éé' AS x, * FROM orders, '/var/**/*.parquet'"],
  ])('refuses a string literal in FROM (%s): DuckDB would read it as a file', async (_name, sql) => {
    const err = await rejection(sql);
    expect(err.message).toMatch(/^FROM '.*' reads a file: name a stream as a table/);
  });

  it.each([
    ['a file path as a quoted name', 'SELECT * FROM "/etc/passwd"', '/etc/passwd'],
    ['a relative path', 'SELECT * FROM "../secrets.csv"', '../secrets.csv'],
    ['a name longer than 128 characters', `SELECT * FROM "${'a'.repeat(129)}"`, 'a'.repeat(129)],
    ['a name with a space', 'SELECT * FROM "my orders"', 'my orders'],
  ])('refuses %s before any stream is looked up, naming it', async (_name, sql, table) => {
    const err = await rejection(sql);
    expect(err.message).toContain('is not a stream name');
    expect(err.details).toEqual({ table });
  });

  it.each([
    ['read_text', "SELECT * FROM read_text('/etc/passwd')"],
    ['read_csv', "SELECT * FROM read_csv('/etc/passwd')"],
    ['read_parquet', "SELECT * FROM read_parquet('/tmp/*.parquet')"],
    ['glob', "SELECT * FROM glob('/etc/*')"],
    ['duckdb_settings', 'SELECT * FROM duckdb_settings()'],
    ['duckdb_extensions', 'SELECT * FROM duckdb_extensions()'],
    ['duckdb_databases', 'SELECT * FROM duckdb_databases()'],
    ['pragma_database_list', 'SELECT * FROM pragma_database_list()'],
    ['query_table', "SELECT * FROM query_table('orders')"],
    ['sniff_csv', "SELECT * FROM sniff_csv('/etc/passwd')"],
  ])('refuses the table function %s', async (name, sql) => {
    const err = await rejection(sql);
    expect(err.message).toContain(`table function ${name}() is not allowed`);
  });

  it.each([
    ['current_setting', "SELECT current_setting('temp_directory')"],
    ['getenv', "SELECT getenv('HOME')"],
    ['getenv (schema-qualified)', "SELECT main.getenv('HOME')"],
    ['duckdb_settings in a subquery', 'SELECT (SELECT count(*) FROM duckdb_settings()) FROM orders'],
    ['current_setting in a WHERE clause', "SELECT * FROM orders WHERE partition_key = current_setting('allowed_paths')::VARCHAR"],
    ['read_text in a CTE', "WITH f AS (SELECT * FROM read_text('/etc/passwd')) SELECT * FROM f"],
    // counters that would tell a query what ran before it in a reused instance
    ['current_query_id', 'SELECT current_query_id()'],
    ['txid_current', 'SELECT txid_current() FROM orders'],
    ['current_transaction_id', 'SELECT current_transaction_id()'],
  ])('refuses a function reading settings, the environment or files: %s', async (_name, sql) => {
    await rejection(sql);
  });

  it.each([
    ['a DuckDB system view', 'SELECT * FROM duckdb_settings'],
    ['information_schema', 'SELECT * FROM information_schema.views'],
    ['pg_catalog', 'SELECT * FROM pg_catalog.pg_settings'],
    ['a fully qualified system view', 'SELECT * FROM system.main.duckdb_views'],
  ])("refuses %s (the engine's catalog)", async (_name, sql) => {
    await rejection(sql);
  });

  it('accepts stream names Kinesis accepts, CTEs with any name and the row-making table functions', async () => {
    await expect(analyzer.analyze('SELECT * FROM "orders.v2-eu_1"')).resolves.toMatchObject({ tables: ['orders.v2-eu_1'] });
    await expect(analyzer.analyze(`SELECT * FROM "${'a'.repeat(128)}"`)).resolves.toMatchObject({ tables: ['a'.repeat(128)] });
    await expect(analyzer.analyze('WITH "my cte" AS (SELECT 1 AS a) SELECT a FROM "my cte"')).resolves.toMatchObject({ tables: [] });
    await expect(analyzer.analyze('SELECT count(*) FROM range(10)')).resolves.toMatchObject({ tables: [] });
    await expect(analyzer.analyze('SELECT unnest([1, 2]) AS x, * FROM generate_series(1, 3)')).resolves.toBeDefined();
    await expect(analyzer.analyze("SELECT payload->>'type', current_date, now() FROM orders")).resolves.toMatchObject({ tables: ['orders'] });
  });

  it.each([
    ['duckdb_views', 'SELECT b.sql FROM (WITH duckdb_views AS (SELECT 1) SELECT 1) a, duckdb_views b'],
    ['sqlite_master', 'SELECT b.* FROM (WITH sqlite_master AS (SELECT 1) SELECT 1) a, sqlite_master b'],
    ['pragma_database_list', 'SELECT b.* FROM (WITH pragma_database_list AS (SELECT 1) SELECT 1) a, pragma_database_list b'],
    ['duckdb_databases', 'SELECT b.* FROM (WITH duckdb_databases AS (SELECT 1) SELECT 1) a, duckdb_databases b'],
    ['duckdb_settings (in its own scope)', 'WITH duckdb_settings AS (SELECT 1) SELECT * FROM duckdb_settings'],
    ['duckdb_views (read by its own non-recursive definition)', 'WITH duckdb_views AS (SELECT * FROM duckdb_views) SELECT * FROM duckdb_views'],
  ])('a CTE named like a system view does not let the view be read (%s)', async (name, sql) => {
    const err = await rejection(sql);
    expect(err.message).toContain(`${name.split(' ')[0]} is not allowed`);
  });

  it('a CTE defined in a subquery does not clear its name outside that subquery', async () => {
    const err = await rejection('SELECT * FROM (WITH "/etc/passwd" AS (SELECT 1) SELECT * FROM "/etc/passwd") a, "/etc/passwd" b');
    expect(err.message).toContain('is not a stream name');
    expect(err.details).toEqual({ table: '/etc/passwd' });
    await expect(rejection('SELECT 1 UNION ALL (WITH "x y" AS (SELECT 1) SELECT * FROM "x y") UNION ALL SELECT * FROM "x y"')).resolves.toBeDefined();
    await expect(rejection('WITH a AS (SELECT * FROM "x y"), "x y" AS (SELECT 1) SELECT * FROM a')).resolves.toBeDefined();
  });

  it('lists a name as a table exactly where it is not a CTE in scope', async () => {
    const tables = async (sql: string) => (await analyzer.analyze(sql)).tables;
    await expect(tables('WITH orders AS (SELECT 1 AS a) SELECT * FROM orders')).resolves.toEqual([]);
    await expect(tables('SELECT * FROM (WITH orders AS (SELECT 1 AS a) SELECT * FROM orders) s, orders')).resolves.toEqual(['orders']);
    await expect(tables('WITH orders AS (SELECT * FROM orders) SELECT * FROM orders')).resolves.toEqual(['orders']);
    await expect(tables('WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a) SELECT * FROM b, (SELECT * FROM a) c')).resolves.toEqual([]);
    await expect(tables('WITH a AS (SELECT * FROM payments), b AS (SELECT * FROM a) SELECT * FROM b')).resolves.toEqual(['payments']);
    await expect(tables('WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t')).resolves.toEqual([]);
    await expect(tables('SELECT (WITH p AS (SELECT 1) SELECT count(*) FROM p) FROM p')).resolves.toEqual(['p']);
  });

  it('refuses the same functions inside a replay fragment', async () => {
    await expect(analyzer.checkFragment('orders', "partition_key = getenv('HOME')", 'predicate', 'where')).rejects.toBeInstanceOf(QueryRejectedError);
    await expect(analyzer.checkFragment('orders', "current_setting('temp_directory')", 'expression', 'key')).rejects.toBeInstanceOf(QueryRejectedError);
  });
});
