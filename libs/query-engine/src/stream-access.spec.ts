import { SqlAnalyzer } from './sql-analysis';
import { streamsOutsideGrant } from './stream-access';

const analyzer = new SqlAnalyzer();
const deps = { analyze: (sql: string) => analyzer.analyze(sql) };
const granted = new Set(['orders']);

describe('streamsOutsideGrant', () => {
  it('finds nothing when every stream read is granted', async () => {
    expect(await streamsOutsideGrant(`SELECT count(*) FROM orders WHERE arrival_time > '2026-01-01'`, granted, deps)).toEqual([]);
  });

  it('names a stream read in a join, a subquery, a CTE body or a UNION', async () => {
    expect(await streamsOutsideGrant(`SELECT * FROM orders o JOIN payments p ON o.partition_key = p.partition_key`, granted, deps)).toEqual(['payments']);
    expect(await streamsOutsideGrant(`SELECT * FROM orders WHERE partition_key IN (SELECT partition_key FROM billing)`, granted, deps)).toEqual(['billing']);
    expect(await streamsOutsideGrant(`WITH b AS (SELECT * FROM billing) SELECT * FROM b`, granted, deps)).toEqual(['billing']);
    expect(await streamsOutsideGrant(`SELECT data FROM orders UNION ALL SELECT data FROM "payments"`, granted, deps)).toEqual(['payments']);
  });

  it('lets a CTE through where it is in scope, and names any other table without asking whether it exists', async () => {
    expect(await streamsOutsideGrant(`WITH recent AS (SELECT * FROM orders) SELECT * FROM recent`, granted, deps)).toEqual([]);
    expect(await streamsOutsideGrant(`SELECT * FROM nosuchstream`, granted, deps)).toEqual(['nosuchstream']);
  });

  it('names a stream read where a CTE of its name is not in scope', async () => {
    expect(await streamsOutsideGrant(`SELECT * FROM (WITH payments AS (SELECT 1) SELECT * FROM payments) a, payments b`, granted, deps)).toEqual(['payments']);
    expect(await streamsOutsideGrant(`WITH payments AS (SELECT * FROM payments) SELECT * FROM payments`, granted, deps)).toEqual(['payments']);
  });

  it('compares names exactly: a differently spelled grant does not cover a stream', async () => {
    expect(await streamsOutsideGrant(`SELECT * FROM orders`, new Set(['ORDERS']), deps)).toEqual(['orders']);
  });

  it('refuses invalid SQL the way submit does', async () => {
    await expect(streamsOutsideGrant(`DELETE FROM orders`, granted, deps)).rejects.toMatchObject({ kind: 'invalid-input' });
  });
});
