import { STREAM_NAME_PATTERN, isFluxError } from '@flux-capacitor/contracts';
import fc from 'fast-check';
import { QueryRejectedError } from './query.errors';
import { SqlAnalyzer } from './sql-analysis';
import { sqlString } from './sql-text';

const analyzer = new SqlAnalyzer();

/** The only way analyze may fail: the user's error (invalid-input: rejected, syntax, invalid), never a crash. */
async function answersOrRefuses(sql: string): Promise<void> {
  try {
    await analyzer.analyze(sql);
  } catch (err) {
    if (!isFluxError(err) || err.kind !== 'invalid-input') throw err;
  }
}

const TOKENS = ['SELECT', '*', 'FROM', 'WHERE', 'orders', '"orders"', "'x'", '(', ')', ',', '1', 'AND', 'OR', 'JOIN', 'ON', 'WITH', 'AS', 'UNION', 'ALL', ';', '--', '/*', '*/', 'range(3)', 'NULL', '=', '::', 'INT', 'LIMIT', 'ORDER', 'BY', 'GROUP', '$$', "E'", '"', "'"];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 25 }).map((t) => `SELECT ${t.join(' ')}`);

/** Each letter in either case: SQL names are case-insensitive. */
const anyCase = (name: string) => fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const FILE_READERS = ['read_text', 'read_blob', 'read_csv', 'read_csv_auto', 'read_json', 'read_json_auto', 'read_ndjson', 'read_json_objects', 'read_parquet', 'parquet_scan', 'parquet_metadata', 'parquet_schema', 'glob', 'sniff_csv'];
const path = fc.oneof(fc.constantFrom('/etc/passwd', '../../.flux/dev.env', '/proc/self/environ', 'package.json', 's3://bucket/key', '/tmp/**/*.parquet'), fc.string({ maxLength: 40 }));
const reader = fc.tuple(fc.constantFrom(...FILE_READERS).chain(anyCase), fc.boolean(), fc.boolean(), path).map(
  ([name, quoted, qualified, p]) => `${qualified ? 'main.' : ''}${quoted ? `"${name.toLowerCase()}"` : name}(${sqlString(p)})`,
);
const literal = path.chain((p) => fc.constantFrom(sqlString(p), `E${sqlString(p)}`));
const PLACEMENTS: ((source: string) => string)[] = [
  (s) => `SELECT * FROM ${s}`,
  (s) => `FROM ${s}`,
  (s) => `SELECT * FROM orders, ${s}`,
  (s) => `SELECT * FROM orders JOIN ${s} AS f ON true`,
  (s) => `SELECT (SELECT count(*) FROM ${s}) AS n FROM orders`,
  (s) => `SELECT * FROM orders WHERE EXISTS (SELECT 1 FROM ${s})`,
  (s) => `WITH f AS (SELECT * FROM ${s}) SELECT * FROM f`,
  (s) => `SELECT * FROM orders UNION ALL SELECT * FROM ${s}`,
  (s) => `SELECT * FROM (SELECT * FROM ${s}) AS t`,
];

/** A name DuckDB would not resolve to a stream: a system view, or a path (any text that is no stream name). */
const SYSTEM_VIEWS = ['duckdb_views', 'duckdb_settings', 'duckdb_databases', 'sqlite_master', 'pragma_database_list', 'pg_settings'];
const notAStream = fc.oneof(fc.constantFrom(...SYSTEM_VIEWS).chain(anyCase), path.filter((p) => !STREAM_NAME_PATTERN.test(p)));
const quotedName = (n: string) => `"${n.replace(/"/g, '""')}"`;
/** Places a name where a CTE of that name is defined but not in scope, so DuckDB would read the real object. */
const OUT_OF_SCOPE: ((name: string) => string)[] = [
  (n) => `SELECT * FROM (WITH ${n} AS (SELECT 1) SELECT 1) a, ${n} b`,
  (n) => `SELECT * FROM ${n} WHERE EXISTS (WITH ${n} AS (SELECT 1) SELECT * FROM ${n})`,
  (n) => `SELECT 1 UNION ALL (WITH ${n} AS (SELECT 1) SELECT * FROM ${n}) UNION ALL SELECT * FROM ${n}`,
  (n) => `WITH "first cte" AS (SELECT * FROM ${n}), ${n} AS (SELECT 1) SELECT * FROM "first cte"`,
  (n) => `WITH ${n} AS (SELECT * FROM ${n}) SELECT * FROM ${n}`,
  (n) => `SELECT (WITH ${n} AS (SELECT 1) SELECT count(*) FROM ${n}) FROM ${n}`,
];

describe('SQL guard (property-based)', () => {
  it('answers or refuses arbitrary text with an invalid-input error, never anything else', async () => {
    await fc.assert(fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), answersOrRefuses), { numRuns: 200 });
  });

  it('answers or refuses SQL-looking token soup with an invalid-input error, never anything else', async () => {
    await fc.assert(fc.asyncProperty(tokenSoup, answersOrRefuses), { numRuns: 300 });
  });

  it('never accepts a file read, whatever the function spelling, path or place in the statement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(reader, literal), fc.constantFrom(...PLACEMENTS), async (source, place) => {
        const sql = place(source);
        const outcome = await analyzer.analyze(sql).then(
          () => 'accepted',
          (err: unknown) => err,
        );
        // A path that is not valid SQL is a syntax error, also a refusal; what matters is that nothing is accepted.
        expect(outcome, sql).not.toBe('accepted');
        if (outcome instanceof QueryRejectedError) expect(outcome.message).toMatch(/not allowed|reads a file|not a stream name/);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a CTE clear its name where it is not in scope', async () => {
    await fc.assert(
      fc.asyncProperty(notAStream, fc.constantFrom(...OUT_OF_SCOPE), async (name, place) => {
        const sql = place(quotedName(name));
        const outcome = await analyzer.analyze(sql).then(
          () => 'accepted',
          (err: unknown) => err,
        );
        expect(outcome, sql).not.toBe('accepted');
        if (outcome instanceof QueryRejectedError) expect(outcome.message).toMatch(/not allowed|not a stream name/);
      }),
      { numRuns: 200 },
    );
  });

  it('lists a stream read where a CTE of its name is not in scope as a table', async () => {
    const streamName = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,20}$/).filter((n) => !/^(duckdb_|pragma_|sqlite_|pg_)/.test(n));
    await fc.assert(
      fc.asyncProperty(streamName, fc.constantFrom(...OUT_OF_SCOPE), async (name, place) => {
        const sql = place(quotedName(name));
        const { tables } = await analyzer.analyze(sql);
        expect(tables, sql).toEqual([name]);
      }),
      { numRuns: 100 },
    );
  });
});
