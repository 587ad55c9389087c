import { isFluxError } from '@flux-capacitor/contracts';
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
});
