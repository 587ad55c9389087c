import { SqlAnalyzer } from './sql-analysis';
import { streamsOutsideGrant } from './stream-access';

const analyzer = new SqlAnalyzer();
const streams = new Set(['orders', 'payments', 'billing']);
const lookedUp: string[] = [];
const deps = {
  analyze: (sql: string) => analyzer.analyze(sql),
  isStream: async (name: string) => {
    lookedUp.push(name);
    return streams.has(name);
  },
};
const granted = new Set(['orders']);

describe('streamsOutsideGrant', () => {
  beforeEach(() => (lookedUp.length = 0));

  it('finds nothing when every stream read is granted, without looking granted names up', async () => {
    expect(await streamsOutsideGrant(`SELECT count(*) FROM orders WHERE arrival_time > '2026-01-01'`, granted, deps)).toEqual([]);
    expect(lookedUp).toEqual([]);
  });

  it('names a stream read in a join, a subquery, a CTE body or a UNION', async () => {
    expect(await streamsOutsideGrant(`SELECT * FROM orders o JOIN payments p ON o.partition_key = p.partition_key`, granted, deps)).toEqual(['payments']);
    expect(await streamsOutsideGrant(`SELECT * FROM orders WHERE partition_key IN (SELECT partition_key FROM billing)`, granted, deps)).toEqual(['billing']);
    expect(await streamsOutsideGrant(`WITH b AS (SELECT * FROM billing) SELECT * FROM b`, granted, deps)).toEqual(['billing']);
    expect(await streamsOutsideGrant(`SELECT data FROM orders UNION ALL SELECT data FROM "payments"`, granted, deps)).toEqual(['payments']);
  });

  it('lets a CTE name or an unknown table through (not a stream: DuckDB resolves or reports it)', async () => {
    expect(await streamsOutsideGrant(`WITH recent AS (SELECT * FROM orders) SELECT * FROM recent`, granted, deps)).toEqual([]);
    expect(await streamsOutsideGrant(`SELECT * FROM nosuchstream`, granted, deps)).toEqual([]);
    expect(lookedUp).toEqual(['recent', 'nosuchstream']);
  });

  it('compares names exactly: a differently spelled grant does not cover a stream', async () => {
    expect(await streamsOutsideGrant(`SELECT * FROM orders`, new Set(['ORDERS']), deps)).toEqual(['orders']);
  });

  it('refuses invalid SQL the way submit does', async () => {
    await expect(streamsOutsideGrant(`DELETE FROM orders`, granted, deps)).rejects.toMatchObject({ kind: 'invalid-input' });
  });
});
