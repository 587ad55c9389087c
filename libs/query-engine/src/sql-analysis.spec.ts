import { QueryRejectedError, QuerySyntaxError } from './query.errors';
import { SqlAnalyzer } from './sql-analysis';

const analyzer = new SqlAnalyzer();
const at = (iso: string) => Date.parse(iso);

describe('SqlAnalyzer', () => {
  it.each([
    ['multiple statements', 'SELECT 1; SELECT 2'],
    ['a read followed by a write', "SELECT 1; COPY (SELECT 1) TO '/tmp/flux-pwned.csv'"],
    ['COPY ... TO', "COPY (SELECT * FROM orders) TO '/tmp/flux-pwned.csv'"],
    ['ATTACH', "ATTACH '/tmp/flux-pwned.duckdb' AS pwned"],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD httpfs'],
    ['SET', "SET enable_external_access = true"],
    ['RESET', 'RESET enable_external_access'],
    ['PRAGMA', 'PRAGMA enable_profiling'],
    ['CALL', 'CALL pragma_version()'],
    ['CREATE', 'CREATE TABLE t AS SELECT 1'],
    ['EXPORT DATABASE', "EXPORT DATABASE '/tmp/flux-pwned'"],
    ['a comment hiding a write', "/* SELECT */ COPY (SELECT 1) TO '/tmp/flux-pwned.csv'"],
    ['an empty statement', '   '],
  ])('refuses %s', async (_name, sql) => {
    await expect(analyzer.analyze(sql)).rejects.toBeInstanceOf(QueryRejectedError);
  });

  it("reports a syntax error with DuckDB's message and the character position", async () => {
    const err = await analyzer.analyze('SELECT * FROM orders WHERE').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect((err as QuerySyntaxError).message).toMatch(/syntax error at end of input/);
    expect((err as QuerySyntaxError).position).toBe(26);
  });

  it('reports the position of a syntax error in the middle of a statement', async () => {
    const err = (await analyzer.analyze('SELECT shard_id FROM orders WHER x = 1').catch((e: unknown) => e)) as QuerySyntaxError;
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect(err.position).toBeGreaterThan(20);
  });

  it('accepts SELECT, WITH, FROM-first and a trailing semicolon', async () => {
    await expect(analyzer.analyze('SELECT 1;')).resolves.toEqual({ tables: [], timeBounds: new Map() });
    // A CTE read where it is in scope is no table; the stream its body reads is.
    await expect(analyzer.analyze('WITH x AS (SELECT 1 AS a) SELECT a FROM x')).resolves.toEqual({ tables: [], timeBounds: new Map() });
    await expect(analyzer.analyze('WITH x AS (SELECT * FROM orders) SELECT * FROM x')).resolves.toMatchObject({ tables: ['orders'] });
    await expect(analyzer.analyze('FROM orders LIMIT 1')).resolves.toMatchObject({ tables: ['orders'] });
  });

  it('finds the arrival_time window of a range predicate', async () => {
    const a = await analyzer.analyze(
      "SELECT count(*) FROM orders WHERE arrival_time >= TIMESTAMP '2026-01-01 01:00:00' AND arrival_time < '2026-01-01 03:00:00' AND shard_id = 'x'",
    );
    expect(a.timeBounds.get('orders')).toEqual({ from: at('2026-01-01T01:00:00Z'), to: at('2026-01-01T03:00:00Z') });
  });

  it('understands BETWEEN, reversed comparisons, DATE literals, equality and aliases', async () => {
    expect((await analyzer.analyze("SELECT * FROM orders o WHERE o.arrival_time BETWEEN '2026-01-01 00:10' AND DATE '2026-01-02'")).timeBounds.get('orders')).toEqual({
      from: at('2026-01-01T00:10:00Z'),
      to: at('2026-01-02T00:00:00Z'),
    });
    expect((await analyzer.analyze("SELECT * FROM orders WHERE TIMESTAMP '2026-01-01 05:00' <= arrival_time")).timeBounds.get('orders')).toEqual({
      from: at('2026-01-01T05:00:00Z'),
      to: undefined,
    });
    expect((await analyzer.analyze("SELECT * FROM orders WHERE arrival_time = '2026-01-01 05:00'")).timeBounds.get('orders')).toEqual({
      from: at('2026-01-01T05:00:00Z'),
      to: at('2026-01-01T05:00:00Z'),
    });
  });

  it('does not prune when a predicate could let other rows through (OR, a join, an unrestricted second reference)', async () => {
    const or = await analyzer.analyze("SELECT * FROM orders WHERE arrival_time > '2026-01-01' OR shard_id = 'x'");
    expect(or.timeBounds.has('orders')).toBe(false);
    const join = await analyzer.analyze("SELECT * FROM orders o JOIN orders p USING (shard_id) WHERE o.arrival_time > '2026-01-01'");
    expect(join.timeBounds.has('orders')).toBe(false);
    const union = await analyzer.analyze("SELECT * FROM orders WHERE arrival_time > '2026-01-02' UNION ALL SELECT * FROM orders");
    expect(union.timeBounds.has('orders')).toBe(false);
  });

  it('widens the window to cover every reference of a stream', async () => {
    const a = await analyzer.analyze(
      "SELECT * FROM orders WHERE arrival_time BETWEEN '2026-01-01 01:00' AND '2026-01-01 02:00' UNION ALL SELECT * FROM orders WHERE arrival_time BETWEEN '2026-01-01 05:00' AND '2026-01-01 06:00'",
    );
    expect(a.timeBounds.get('orders')).toEqual({ from: at('2026-01-01T01:00:00Z'), to: at('2026-01-01T06:00:00Z') });
  });

  it('lists the tables a statement reads, including those in subqueries', async () => {
    const a = await analyzer.analyze('SELECT * FROM "Orders" WHERE partition_key IN (SELECT partition_key FROM payments)');
    expect(a.tables.sort()).toEqual(['Orders', 'payments']);
  });
});

describe('SqlAnalyzer.bindCheck with typed field columns', () => {
  it('binds a typed field column of the stream table, and refuses it when the table has none', async () => {
    const typed = new Map([['orders', [{ name: 'customer', type: 'VARCHAR' }, { name: 'address.city', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }]]]);
    await expect(analyzer.bindCheck(`SELECT customer, "address.city", sum(amount) FROM orders GROUP BY ALL`, ['orders'], typed)).resolves.toBeUndefined();
    await expect(analyzer.bindCheck(`SELECT customer FROM orders`, ['orders'])).rejects.toThrow(/customer/);
  });
});
