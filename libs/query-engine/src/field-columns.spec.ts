import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { archiveFieldColumns, FileArchiveStore, ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import { records, writeArchiveObject, writeLayout1Object } from '@flux-capacitor/testing';
import fc from 'fast-check';
import { ArchiveObjectCache } from './archive-object-cache';
import { DuckDbEngine } from './duckdb-engine';
import type { QueryCatalog } from './query-planner';
import { QueryService } from './query-service';
import { SqlAnalyzer } from './sql-analysis';
import { rewriteFieldRefs, type RewriteTable } from './field-rewrite';
import { parseAst, stringifyAst } from './sql-ast';
import { sqlIdentifier } from './sql-text';
import type { ArchiveFile, StreamSource } from './stream-source';
import { fieldsNamedIn, liveTableDdl, MAX_FIELD_SET_GROUPS, MAX_STREAM_FIELDS, streamFields, streamViewSql, streamViewStatements, wideViewName } from './stream-view';

const WIDE = wideViewName('orders');

const START = '2026-03-01T10:00:00.000Z';
const PATHS = [['customer'], ['amount'], ['address', 'city'], ['n']];

let root: string;
let engine: DuckDbEngine;
let parquet: ParquetEngine;
let store: FileArchiveStore;
let c: DuckDBConnection;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-fields-'));
  mkdirSync(join(root, 'work'));
  engine = new DuckDbEngine({ workDir: join(root, 'work'), threads: 1, memoryLimit: '256MB' });
  parquet = await ParquetEngine.create({ threads: 1 });
  store = new FileArchiveStore({ kind: 'file', uri: `file://${join(root, 'archive')}`, directory: join(root, 'archive') });
  c = await (await DuckDBInstance.create(':memory:')).connect();
});
afterAll(() => {
  engine.close();
  rmSync(root, { recursive: true, force: true });
});

/** Writes `rs` as an object of the kind asked; a layout-2 object with fields is written by the archiver's own writer (ParquetBatch.writeTo). */
async function objectOf(kind: 'v1' | 'v2' | 'v2-fields', rs: ArchiveRecord[], paths: string[][] = PATHS): Promise<ArchiveFile> {
  const fields = kind === 'v2-fields' ? archiveFieldColumns(paths) : undefined;
  const written = kind === 'v1' ? await writeLayout1Object(store, rs) : await writeArchiveObject(store, parquet, rs, { fields });
  const path = store.localPath(store.keyOf(written.objectUri)!);
  const shards = [{ shardId: rs[0].shardId, firstSequenceNumber: rs[0].sequenceNumber, lastSequenceNumber: rs.at(-1)!.sequenceNumber, recordCount: rs.length }];
  return { path, uri: written.objectUri, layout: kind === 'v1' ? 1 : 2, shards, ...(fields ? { fields } : {}) };
}

async function rows(sql: string, sources: StreamSource[], rewriteFields: boolean): Promise<unknown[]> {
  const result = await engine.run({ sql, sources, maxRows: 10_000, timeoutMs: 60_000, rewriteFields });
  try {
    return [{ columns: result.columns }, ...(await result.readJsonLines(0, 10_000)).map((l) => JSON.parse(l) as unknown)];
  } finally {
    result.close();
  }
}

async function rewrittenByEngine(sql: string, source: StreamSource): Promise<string> {
  return engine.session({ sources: [source], timeoutMs: 60_000 }, (session) => session.rewrite(sql));
}

const SCHEMA = [
  { path: ['customer'], type: 'VARCHAR' as const },
  { path: ['amount'], type: 'DOUBLE' as const },
  { path: ['n'], type: 'BIGINT' as const },
];

describe('field columns in the stream view', () => {
  it('reads the stored column where an object holds it and computes it elsewhere; SELECT * shows the base columns and typed ones are virtual', async () => {
    const bodies = [{ customer: 'c1', amount: 12.5, n: 3 }, { customer: 'c2', n: 'x' }, 'not json'];
    const withFields = await objectOf('v2-fields', records('orders', 's-1', 100n, START, bodies));
    const plain = await objectOf('v1', records('orders', 's-2', 100n, START, bodies));
    const source: StreamSource = { name: 'orders', archiveFiles: [withFields, plain], live: [], fields: SCHEMA };
    const [head, ...body] = await rows(`SELECT * EXCLUDE (data, payload, arrival_time), "payload.n" FROM orders ORDER BY shard_id, sequence_number`, [source], true);
    expect((head as { columns: { name: string }[] }).columns.map((col) => col.name)).toEqual(['shard_id', 'sequence_number', 'sub_sequence_number', 'partition_key', 'source', 'payload.n']);
    expect(body.map((r) => (r as Record<string, unknown>)['payload.n'])).toEqual([3, null, null, 3, null, null]);
    const [star] = await rows(`SELECT * FROM orders`, [source], true);
    expect((star as { columns: { name: string }[] }).columns.map((col) => col.name)).toEqual(['shard_id', 'sequence_number', 'sub_sequence_number', 'partition_key', 'arrival_time', 'data', 'payload', 'source']);
    // the stored column is what the view reads for that object; the rewrite makes the query read the view
    expect(streamViewSql(source)).toMatch(/payload__customer"? AS __flux_f_0/);
    // projection pushdown: a query naming no field neither reads a stored field column nor computes one
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    await duck.run(liveTableDdl('orders'));
    for (const statement of streamViewStatements(source)) await duck.run(statement);
    const explain = async (sql: string) => (await duck.runAndReadAll(`EXPLAIN ${sql}`)).getRows().map((r) => String(r[1])).join('\n');
    const unused = await explain(`SELECT count(*), max(partition_key) FROM orders`);
    expect(unused).not.toMatch(/payload__|json_extract/);
    expect(await explain(`SELECT count(*) FROM ${sqlIdentifier(WIDE)} WHERE __flux_f_0 = 'c1'`)).toMatch(/payload__customer/);
    expect(await rewrittenByEngine(`SELECT count(*) FROM orders WHERE payload->>'customer' = 'c1'`, source)).toContain(WIDE);
  });
});

describe('through the query service (catalog schema and objects with field columns)', () => {
  it('shows typed columns, binds them, and answers payload->>\'path\' from stored and computed columns alike', async () => {
    const bodies = [{ customer: 'c1', amount: 2.5 }, { customer: 'c2', amount: 4 }, { customer: 'c1', amount: 1 }, 'raw'];
    const files = [await objectOf('v2-fields', records('orders', 's-1', 100n, START, bodies)), await objectOf('v1', records('orders', 's-2', 100n, START, bodies))];
    const catalog: QueryCatalog = {
      listObjects: async (stream) => (stream === 'orders' ? files.map((f) => ({ uri: f.uri!, layout: f.layout, shards: f.shards, fields: f.fields })) : []),
      shardHighWatermarks: async (stream) => new Map(stream === 'orders' ? files.map((f) => [f.shards[0].shardId, f.shards[0].lastSequenceNumber]) : []),
      getSchema: async (stream) =>
        stream === 'orders'
          ? { fields: [{ path: 'customer', types: ['string'], nullable: false }, { path: 'amount', types: ['integer', 'number'], nullable: false }] }
          : null,
    };
    const work = mkdtempSync(join(root, 'svc-'));
    const svc = new QueryService({
      catalog,
      analyzer: new SqlAnalyzer(),
      duckdb: new DuckDbEngine({ workDir: work, threads: 1, memoryLimit: '256MB' }),
      cache: new ArchiveObjectCache({ directory: join(work, 'cache'), maxBytes: 10_000_000, store }),
      limits: { defaultEngine: 'duckdb', timeoutMs: 20_000, maxRows: 100, syncMaxRows: 100, maxConcurrent: 1, resultTtlMs: 60_000, live: { enabled: false, maxRecords: 0, budgetMs: 0 } },
    });
    const run = async (sql: string) => {
      const { result } = await svc.runSync({ sql });
      try {
        return { columns: result.columns.map((col) => `${col.name} ${col.type}`), rows: (await result.readJsonLines(0, 100)).map((l) => JSON.parse(l) as Record<string, unknown>) };
      } finally {
        result.close();
      }
    };
    expect((await run(`SELECT * FROM orders LIMIT 1`)).columns).toHaveLength(8);
    expect((await run(`SELECT "payload.customer", sum(o."payload.amount") AS s FROM orders o GROUP BY 1 ORDER BY 1`)).rows).toEqual([
      { 'payload.customer': 'c1', s: 7 },
      { 'payload.customer': 'c2', s: 8 },
      { 'payload.customer': null, s: null },
    ]);
    expect((await run(`SELECT "payload.amount" FROM orders LIMIT 0`)).columns).toEqual(['payload.amount DOUBLE']);
    // typed columns take no names a query already uses (review of #13): these answer as they did without them
    expect((await run(`WITH c AS (SELECT 'zzz' AS customer) SELECT (SELECT count(*) FROM orders WHERE payload->>'customer' = customer) AS k FROM c`)).rows).toEqual([{ k: 0 }]);
    expect((await run(`SELECT count(*) AS k FROM (SELECT payload->>'amount' AS amount FROM orders) WHERE amount > '2'`)).rows).toEqual([{ k: 4 }]);
    expect((await run(`SELECT payload->>'amount' AS amount, count(*) AS k FROM orders GROUP BY amount ORDER BY amount`)).rows).toHaveLength(4);
    expect((await run(`SELECT count(*) AS k FROM (SELECT * FROM orders UNION ALL SELECT * FROM orders)`)).rows).toEqual([{ k: 16 }]);
    // where the rewrite cannot apply, a typed column is unknown, and the error says what to write instead
    await expect(run(`SELECT "payload.customer" FROM orders o NATURAL JOIN orders p`)).rejects.toThrow(/typed field column "payload\.customer" can only be read/);
    await expect(run(`SELECT "payload.nope" FROM orders`)).rejects.toThrow(/not found/);
    expect((await run(`SELECT payload->>'customer', count(*) AS n FROM orders GROUP BY 1 ORDER BY 1`)).rows).toEqual([
      { "(payload ->> 'customer')": 'c1', n: 4 },
      { "(payload ->> 'customer')": 'c2', n: 2 },
      { "(payload ->> 'customer')": null, n: 2 },
    ]);
  });
});

describe('a catalog schema that cannot be read', () => {
  it('costs the typed columns, not the query', async () => {
    const files = [await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1' }, { customer: 'c2' }]))];
    const catalog: QueryCatalog = {
      listObjects: async () => files.map((f) => ({ uri: f.uri ?? '', layout: f.layout, shards: f.shards, fields: f.fields })),
      shardHighWatermarks: async () => new Map([[files[0].shards[0].shardId, files[0].shards[0].lastSequenceNumber]]),
      getSchema: async () => {
        throw new Error('schema table gone');
      },
    };
    const work = mkdtempSync(join(root, 'svc-'));
    const svc = new QueryService({
      catalog,
      analyzer: new SqlAnalyzer(),
      duckdb: new DuckDbEngine({ workDir: work, threads: 1, memoryLimit: '256MB' }),
      cache: new ArchiveObjectCache({ directory: join(work, 'cache'), maxBytes: 10_000_000, store }),
      limits: { defaultEngine: 'duckdb', timeoutMs: 20_000, maxRows: 100, syncMaxRows: 100, maxConcurrent: 1, resultTtlMs: 60_000, live: { enabled: false, maxRecords: 0, budgetMs: 0 } },
    });
    const { result } = await svc.runSync({ sql: `SELECT payload->>'customer' AS c FROM orders ORDER BY 1` });
    try {
      expect((await result.readJsonLines(0, 10)).map((l) => JSON.parse(l) as unknown)).toEqual([{ c: 'c1' }, { c: 'c2' }]);
    } finally {
      result.close();
    }
    expect(await svc.typedColumns(['orders'])).toEqual(new Map([['orders', []]]));
    await expect(svc.runSync({ sql: `SELECT "payload.customer" FROM orders` })).rejects.toThrow(/not found/);
  });
});

describe('errors of a rewritten query', () => {
  it('name the user\'s expression, not the hidden column', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1' }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    const sql = `SELECT CAST(payload->>'customer' AS INTEGER) + count(*) FROM orders`;
    const err = await rows(sql, [source], true).then(() => undefined, (e: unknown) => e as Error);
    expect(err?.message).toMatch(/payload/);
    expect(err?.message).not.toMatch(/__flux/);
  });
});

describe('streamFields', () => {
  it('names typed columns payload.<path>, keeps case-colliding names hidden only, and adds the paths objects store', () => {
    const source: StreamSource = {
      name: 'orders',
      live: [],
      fields: [
        { path: ['customer'], type: 'VARCHAR' },
        { path: ['Customer'], type: 'BIGINT' },
        { path: ['source'], type: 'VARCHAR' },
        { path: ['__flux_f_0'], type: 'VARCHAR' },
        { path: ['address', 'city'], type: 'VARCHAR' },
      ],
      archiveFiles: [{ path: 'x.parquet', layout: 2, shards: [], fields: [{ path: ['zip'], column: 'payload__zip' }, { path: ['customer'], column: 'payload__customer' }] }],
    };
    expect(streamFields(source).map((f) => [f.path.join('.'), f.hidden, f.typed?.name ?? null])).toEqual([
      ['customer', '__flux_f_0', 'payload.customer'],
      ['Customer', '__flux_f_1', null],
      ['source', '__flux_f_2', 'payload.source'],
      ['__flux_f_0', '__flux_f_3', 'payload.__flux_f_0'],
      ['address.city', '__flux_f_4', 'payload.address.city'],
      ['zip', '__flux_f_5', null],
    ]);
  });
});

/** Statement tree → rewrite → SQL text (or undefined: not rewritten). */
async function rewritten(sql: string, tables: Record<string, string[][]> = { orders: PATHS }): Promise<string | undefined> {
  const map = new Map<string, RewriteTable>(
    Object.entries(tables).map(([name, paths]) => [name, { wide: `__flux_wide_${name}`, fields: paths.map((path, i) => ({ path, hidden: `__flux_f_${i}` })) }]),
  );
  const ast = parseAst(String((await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql])).getRows()[0][0]));
  const out = rewriteFieldRefs(ast, map);
  if (!out) return undefined;
  return String((await c.runAndReadAll(`SELECT json_deserialize_sql($1::JSON)`, [stringifyAst(out.ast)])).getRows()[0][0]);
}

describe('where the payload rewrite applies', () => {
  it('rewrites every spelling of a field path over the stream payload', async () => {
    for (const sql of [
      `SELECT payload->>'customer' AS c FROM orders`,
      `SELECT payload->>'$.customer' AS c FROM orders`,
      `SELECT payload->>'$."customer"' AS c FROM orders`,
      `SELECT json_extract_string(payload, '$.customer') AS c FROM orders`,
      `SELECT o.payload->>'customer' AS c FROM orders o`,
    ]) {
      expect(await rewritten(sql)).toMatch(/__flux_f_0 AS c FROM __flux_wide_orders AS (orders|o)$/);
    }
    expect(await rewritten(`SELECT payload->'address'->>'city' AS c FROM orders`)).toContain('orders.__flux_f_2');
  });

  it('keeps numbers exactly as written through the statement tree', async () => {
    const sql = await rewritten(`SELECT 9007199254740993 AS big, 170141183460469231731687303715884105727 AS huge, 0.30000000000000004 AS f, payload->>'customer' AS c FROM orders`);
    expect(sql).toContain('9007199254740993 AS big, 170141183460469231731687303715884105727 AS huge');
    expect(sql).toContain('0.30000000000000004');
  });

  it('leaves paths that are no field column, array steps and JSON pointers alone', async () => {
    expect(await rewritten(`SELECT payload->>'other' FROM orders`)).toBeUndefined();
    expect(await rewritten(`SELECT payload->>'$.address[0]' FROM orders`)).toBeUndefined();
    expect(await rewritten(`SELECT payload->>'/customer' FROM orders`)).toBeUndefined();
    expect(await rewritten(`SELECT payload->'customer' FROM orders`)).toBeUndefined(); // JSON, not text
  });

  it('respects a CTE of the stream name and a subquery from-item that may have its own payload', async () => {
    expect(await rewritten(`WITH orders AS (SELECT '{}'::JSON AS payload) SELECT payload->>'customer' FROM orders`)).toBeUndefined();
    // the CTE's own body reads the stream, and is rewritten; the body over the CTE is not
    const cte = await rewritten(`WITH x AS (SELECT payload->>'customer' AS c FROM orders) SELECT c FROM x`);
    expect(cte).toContain('FROM __flux_wide_orders AS orders');
    expect(await rewritten(`SELECT payload->>'customer' FROM orders, (SELECT 1 AS payload) AS s`)).toBeUndefined();
  });

  it('leaves correlated references into an outer query alone', async () => {
    const sql = await rewritten(`SELECT (SELECT count(*) FROM range(3) WHERE o.payload->>'customer' = 'x') AS k FROM orders o`);
    expect(sql).toBeUndefined();
  });

  it('rewrites both stream tables of a join by qualifier and never an ambiguous unqualified payload', async () => {
    const two = { orders: PATHS, users: [['customer']] };
    const sql = await rewritten(`SELECT o.payload->>'customer' AS a, u.payload->>'customer' AS b FROM orders o JOIN users u ON true`, two);
    expect(sql).toContain('o.__flux_f_0 AS a, u.__flux_f_0 AS b');
    expect(await rewritten(`SELECT payload->>'customer' FROM orders o JOIN users u ON true`, two)).toBeUndefined();
  });

  it('keeps the hidden columns out of every star, and does not rewrite around whole-row references, COLUMNS or NATURAL joins', async () => {
    expect(await rewritten(`SELECT *, payload->>'customer' AS c FROM orders`)).toContain('* EXCLUDE (__flux_f_0, __flux_f_1, __flux_f_2, __flux_f_3)');
    expect(await rewritten(`SELECT o.*, payload->>'customer' AS c FROM orders o`)).toContain('o.* EXCLUDE (');
    expect(await rewritten(`SELECT o, o.payload->>'customer' FROM orders o`)).toBeUndefined();
    expect(await rewritten(`SELECT COLUMNS(*), payload->>'customer' FROM orders`)).toBeUndefined();
    expect(await rewritten(`SELECT o.payload->>'customer' FROM orders o NATURAL JOIN orders p`)).toBeUndefined();
    expect(await rewritten(`SELECT o.payload->>'customer' FROM orders o JOIN orders p USING (shard_id)`)).toBeUndefined();
    expect(await rewritten(`SELECT 1 AS payload, payload->>'customer' FROM orders`)).toBeUndefined();
  });
});

describe('typed virtual columns, internal names and bounds', () => {
  const typedTables = new Map<string, RewriteTable>([
    ['orders', { wide: '__flux_wide_orders', fields: [{ path: ['customer'], hidden: '__flux_f_0', typed: { name: 'payload.customer' } }, { path: ['zip'], hidden: '__flux_f_1' }] }],
  ]);
  const typedRewrite = async (sql: string) => {
    const ast = parseAst(String((await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql])).getRows()[0][0]));
    const out = rewriteFieldRefs(ast, typedTables);
    return out && String((await c.runAndReadAll(`SELECT json_deserialize_sql($1::JSON)`, [stringifyAst(out.ast)])).getRows()[0][0]);
  };

  it('reads a typed column from the wide view and keeps it, like the hidden ones, out of every star', async () => {
    expect(await typedRewrite(`SELECT *, "payload.customer" FROM orders`)).toBe(`SELECT * EXCLUDE ("payload.customer", __flux_f_0, __flux_f_1), "payload.customer" FROM __flux_wide_orders AS orders`);
    expect(await typedRewrite(`SELECT o."payload.customer" FROM orders AS o`)).toContain('FROM __flux_wide_orders AS o');
    // a correlated or ambiguous reference is not resolved: it stays unknown to DuckDB
    expect(await typedRewrite(`SELECT "payload.customer" FROM orders o JOIN orders p ON true`)).toBeUndefined();
    expect(await typedRewrite(`SELECT "payload.other" FROM orders`)).toBeUndefined();
  });

  it('never rewrites under a CTE whose name starts with __flux_, and gives streams differing in punctuation their own views', async () => {
    expect(await typedRewrite(`WITH __flux_wide_orders AS (SELECT 1 AS x) SELECT payload->>'customer' FROM orders`)).toBeUndefined();
    expect(wideViewName('orders-eu')).not.toBe(wideViewName('orders_eu'));
  });

  it('names an unaliased rewritten item of a set operation as DuckDB names the original', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1' }, { customer: 'c2' }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    const sql = `SELECT payload->>'customer' FROM orders UNION ALL SELECT payload->>'customer' FROM orders`;
    expect(await rewrittenByEngine(sql, source)).toContain(WIDE);
    expect(await rows(sql, [source], true)).toEqual(await rows(sql, [source], false));
  });

  it('applies to a statement with DOUBLE constants (1e6), which DuckDB prints as decimals, where no name depends on them', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1', amount: 1500000 }, { customer: 'c2', amount: 2.5 }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    const sql = `SELECT payload->>'customer', sum(TRY_CAST(payload->>'amount' AS DOUBLE)) / 1e6 AS m FROM orders WHERE TRY_CAST(payload->>'amount' AS DOUBLE) > 1e-1 GROUP BY 1 ORDER BY 1`;
    const text = await rewrittenByEngine(sql, source);
    expect(text).toContain(WIDE);
    expect(text).toContain(`CAST('1000000.0' AS DOUBLE)`);
    const answer = await rows(sql, [source], true);
    expect(answer).toEqual(await rows(sql, [source], false));
    expect((answer[0] as { columns: { name: string }[] }).columns.map((col) => col.name)).toEqual([`(payload ->> 'customer')`, 'm']);
    // an unaliased item is named after its text (`0.1`): its constant stays, and the statement runs as written
    expect(await rewrittenByEngine(`SELECT payload->>'customer', 1e-1 FROM orders`, source)).not.toContain(WIDE);
  });

  it('keeps the answer where names matter: ORDER BY names, a row of a subquery, COLUMNS over its names, DISTINCT ON a constant, NOT MATERIALIZED', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1', amount: 1.5, n: 2 }, { customer: 'c2', amount: 2.5, n: 3 }, { customer: 'c1', amount: 4, n: 1 }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    for (const sql of [
      `SELECT 1e0, s FROM (SELECT sequence_number AS s, sequence_number::INT AS "1.0", payload->>'customer' AS c FROM orders) ORDER BY "1.0" DESC`,
      `SELECT k * 2e0, c FROM (SELECT payload->>'customer' AS c, sequence_number::INT AS k, -sequence_number::INT AS "(k * 2.0)" FROM orders) ORDER BY "(k * 2.0)"`,
      `SELECT payload->>'customer', x FROM orders, (SELECT 1 AS "(payload ->> 'customer')", 2 AS x) ORDER BY "(payload ->> 'customer')", sequence_number`,
      `SELECT t FROM (SELECT TRY_CAST(payload->>'amount' AS DOUBLE) FROM orders ORDER BY 1) t`,
      `SELECT COLUMNS('amount.*"DOUBLE"') FROM (SELECT TRY_CAST(payload->>'amount' AS DOUBLE), TRY_CAST(payload->>'n' AS DOUBLE) FROM orders) ORDER BY 1`,
      `SELECT * FROM (SELECT payload->>'customer', sum(TRY_CAST(payload->>'amount' AS DOUBLE)) FROM orders GROUP BY 1) ORDER BY 1`,
      `SELECT to_json(t) FROM (SELECT payload->>'customer' AS c, (SELECT count(*) FROM orders WHERE payload->>'n' > '1') FROM orders) t ORDER BY 1`,
      `SELECT * FROM (SELECT payload->>'n' AS "(payload ->> 'customer')", payload->>'customer' FROM orders ORDER BY "(payload ->> 'customer')")`,
      `WITH a AS NOT MATERIALIZED (SELECT payload->>'customer' AS c, random() AS r FROM orders) SELECT count(*) FROM a x JOIN a y ON x.r = y.r`,
      `WITH a AS NOT/* */MATERIALIZED (SELECT payload->>'customer' AS c, random() AS r FROM orders) SELECT count(*) FROM a x JOIN a y ON x.r = y.r`,
      `WITH a AS NOT -- c\n MATERIALIZED (SELECT payload->>'customer' AS c, random() AS r FROM orders) SELECT count(*) FROM a x JOIN a y ON x.r = y.r`,
      // an outer query's column named like the item: an alias there would capture the inner reference
      `SELECT o.k, s.* FROM (SELECT 'outer' AS "(payload ->> 'customer')", 1 AS k) o, LATERAL (SELECT payload->>'customer', "(payload ->> 'customer')" AS x FROM orders) s ORDER BY 2, 3`,
      `SELECT (SELECT count(*) FROM (SELECT payload->>'customer' FROM orders WHERE "(payload ->> 'customer')" = 'outer')) FROM (SELECT 'outer' AS "(payload ->> 'customer')")`,
    ]) {
      const rewrittenRows = await rows(sql, [source], true).catch((err: Error) => err.message);
      expect([sql, rewrittenRows]).toEqual([sql, await rows(sql, [source], false).catch((err: Error) => err.message)]);
    }
    // a constant DISTINCT ON target is a binder error, and pinning it would make it bind: it stays, so this statement,
    // which binds only rewritten (a typed column), is refused instead of answered
    await expect(rows(`SELECT DISTINCT ON (1e0) x FROM (SELECT "payload.customer" AS x FROM orders)`, [source], true)).rejects.toThrow(/Binder Error/);
  });

  it('keeps the names DuckDB gives unaliased items as parsed (a cast to DOUBLE is named CAST(x AS "DOUBLE"))', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, [{ customer: 'c1', amount: 1.5, n: 2 }, { customer: 'c2', amount: 2.5 }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    const sql = `SELECT payload->>'customer', sum(TRY_CAST(payload->>'amount' AS DOUBLE)), max(TRY_CAST(payload->>'n' AS DECIMAL(10,2))), max((payload->>'n')::UBIGINT) FROM orders GROUP BY 1 ORDER BY 1`;
    expect(await rewrittenByEngine(sql, source)).toContain(WIDE);
    const answer = await rows(sql, [source], true);
    expect(answer).toEqual(await rows(sql, [source], false));
    expect((answer[0] as { columns: { name: string }[] }).columns.map((col) => col.name)).toEqual([
      `(payload ->> 'customer')`,
      `sum(TRY_CAST((payload ->> 'amount') AS "DOUBLE"))`,
      `max(TRY_CAST((payload ->> 'n') AS DECIMAL(10, 2)))`,
      `max(CAST((payload ->> 'n') AS "UBIGINT"))`,
    ]);
  });

  it('writes a non-finite double as null in result lines (1e400 is Infinity)', async () => {
    const file = await objectOf('v2-fields', records('orders', 's-1', 100n, START, ['{"amount":1e400}', { amount: 2 }]));
    const source: StreamSource = { name: 'orders', archiveFiles: [file], live: [], fields: SCHEMA };
    const [, ...body] = await rows(`SELECT * EXCLUDE (data), "payload.amount" AS a, TRY_CAST(payload->>'amount' AS DOUBLE) AS b FROM orders ORDER BY sequence_number`, [source], true);
    expect(body.map((r) => [(r as Record<string, unknown>).a, (r as Record<string, unknown>).b])).toEqual([
      [null, null],
      [2, 2],
    ]);
  });

  it('bounds the view: at most MAX_STREAM_FIELDS fields and MAX_FIELD_SET_GROUPS scans per set of objects, with the same answers', async () => {
    const files: ArchiveFile[] = [];
    // each object stores its own set of field columns (k0..k4 of its own suffix): many more sets and paths than the caps
    for (let i = 0; i < MAX_FIELD_SET_GROUPS + 4; i++) {
      const paths = [['customer'], ...Array.from({ length: 4 }, (_, j) => [`k${i}_${j}`])];
      files.push(await objectOf('v2-fields', records('orders', `s-${i}`, 100n, START, [{ customer: `c${i % 3}`, [`k${i}_0`]: i }]), paths));
    }
    const source: StreamSource = { name: 'orders', archiveFiles: files, live: [], fields: SCHEMA };
    expect(streamFields(source).length).toBe(MAX_STREAM_FIELDS);
    // a query's view carries only the fields its text may use, so its scans are few
    const narrowed = fieldsNamedIn(source, `SELECT payload->>'k19_0' FROM orders`);
    expect(streamFields(narrowed).map((f) => f.path.join('.'))).toEqual(['k19_0']);
    expect(streamViewSql(narrowed).match(/read_parquet/g)).toHaveLength(2);
    expect(streamFields(fieldsNamedIn(source, `SELECT max(shard_id) FROM orders`))).toEqual([]);
    const scans = streamViewSql(source).match(/read_parquet/g) ?? [];
    expect(scans.length).toBeLessThanOrEqual(MAX_FIELD_SET_GROUPS + 1);
    for (const sql of [`SELECT payload->>'customer' AS c, count(*) AS k FROM orders GROUP BY 1 ORDER BY 1`, `SELECT sum(CAST(payload->>'k19_0' AS INT)) AS s FROM orders`]) {
      expect(await rows(sql, [source], true)).toEqual(await rows(sql, [source], false));
    }
  }, 60_000);
});

/** Random record bodies: JSON of every shape the property must survive, and bytes that are no JSON. */
const key = fc.constantFrom('customer', 'amount', 'address', 'city', 'n', 'x', 'é', 'a b');
const scalar = fc.oneof(
  fc.constantFrom('12.50', '1e3', '-0', '1e400', '123456789012345678901234567890', 'true', 'false', 'null', '"\\u00e9\\n\\"q"', '"c1"', '"c2"', '0.1', '-7'),
  fc.integer({ min: -5, max: 5 }).map(String),
  fc.string({ maxLength: 4 }).map((s) => JSON.stringify(s)),
);
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 2 }).map((a) => `[${a.join(',')}]`),
    // keys may repeat: duplicate keys are kept in the text
    fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((kv) => `{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
  ),
})).value;
const body = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.tuple(key, json), { maxLength: 5 }).map((kv) => Buffer.from(`{${kv.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`)) },
  { weight: 1, arbitrary: json.map((j) => Buffer.from(j)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 6 }).map((b) => Buffer.from(b)) },
);

// A DOUBLE can be Infinity (1e400): sums are compared as text (a result line writes a non-finite double as null).
const QUERIES = [
  `SELECT payload->>'customer' AS c, count(*) AS k, CAST(sum(TRY_CAST(payload->>'amount' AS DOUBLE)) AS VARCHAR) AS s FROM orders GROUP BY 1 ORDER BY 1 NULLS FIRST`,
  `SELECT shard_id, sequence_number, 9007199254740993 AS big, 170141183460469231731687303715884105727 AS huge, 0.1 + 0.2 AS f FROM orders WHERE (payload->>'$.address.city') IN ('c1', 'c2', '1e3') OR (payload->>'customer') IN ('c1', '12.50', '-0') OR json_extract_string(payload, '$.n') IS NULL ORDER BY 1, 2`,
  `SELECT o.payload->>'n', payload->'address'->>'city', payload->>'$."é"', upper(payload->>'customer'), length(payload->>'amount') > 2 FROM orders o ORDER BY o.shard_id, o.sequence_number`,
  `SELECT * EXCLUDE (arrival_time, data), payload->>'amount' FROM orders ORDER BY payload->>'customer' NULLS LAST, shard_id, sequence_number`,
  `SELECT count(DISTINCT payload->>'address') AS d, max(payload->>'customer') AS m FROM orders o WHERE (payload->>'customer') LIKE 'c%' OR (o.payload->>'n') > '1'`,
  `WITH t AS (SELECT payload->>'customer' AS c FROM orders) SELECT c, count(*) FROM t GROUP BY ALL ORDER BY ALL`,
  // unaliased casts: DuckDB names them as parsed (`"DOUBLE"`, `DECIMAL(10, 2)`), which printing does not keep
  `SELECT payload->>'customer', count(TRY_CAST(payload->>'amount' AS DOUBLE)), max(TRY_CAST(payload->>'n' AS DECIMAL(10,2))) FROM orders GROUP BY 1 ORDER BY 1 NULLS FIRST`,
  // the shape of a replay's selection (libs/replay planSelectSql): compaction key, tombstone and filter over payload
  `WITH bounded AS (
     SELECT *, CAST((payload->>'customer') AS VARCHAR) AS __key, coalesce(CAST(((payload->>'n') = '1') AS BOOLEAN), false) AS __tomb,
       coalesce(CAST(((payload->>'$.address.city') IS NOT NULL) AS BOOLEAN), false) AS __where
     FROM orders),
   picked AS (SELECT * FROM (SELECT *, max(arrival_time) OVER (PARTITION BY __key, shard_id) AS __shard_last FROM bounded)
     QUALIFY row_number() OVER (PARTITION BY __key ORDER BY __shard_last DESC, shard_id DESC, sequence_number DESC) = 1)
   SELECT shard_id, sequence_number, hex(data) AS d, __key, __tomb FROM picked WHERE __tomb OR __where ORDER BY ALL`,
];

/** DuckDB prints these DOUBLE constants as decimals: the rewrite must not change their type (else it is not used). */
// DOUBLE constants print as decimals: the rewrite pins them (pinDoubleConstants) where no name depends on them, so it
// still applies, and the values are the same doubles, the extreme ones included.
const DOUBLE_CONSTANTS = `SELECT payload->>'customer' AS c, 1e-1 + 2e-1 = 3e-1 AS x, 1e2 AS h, 0.1 + 0.2 AS f, 1.50 AS d, 1e-1 * (payload->>'n' IS NULL)::INT AS m,
  2.5e3 AS k, length(payload->>'customer') / 1e1 AS l, 5e-324 AS tiny, 1.7976931348623157e308 AS huge, -0e0 AS negzero, 0.30000000000000004e0 AS f2
  FROM orders WHERE TRY_CAST(payload->>'amount' AS DOUBLE) IS NULL OR TRY_CAST(payload->>'amount' AS DOUBLE) > -1e300 ORDER BY shard_id, sequence_number`;

/** A typed (virtual) column and what it stands for: the catalog-typed cast of the text the rewrite reads. */
const TYPED_PAIRS = [
  [
    `SELECT "payload.customer" AS c, o."payload.amount" AS a, "payload.n" AS n FROM orders o ORDER BY shard_id, sequence_number`,
    `SELECT payload->>'customer' AS c, TRY_CAST(payload->>'amount' AS DOUBLE) AS a, TRY_CAST(payload->>'n' AS BIGINT) AS n FROM orders o ORDER BY shard_id, sequence_number`,
  ],
  [
    `SELECT *, "payload.n" + 1 AS n1 FROM orders WHERE "payload.customer" IS NOT NULL ORDER BY shard_id, sequence_number`,
    `SELECT *, TRY_CAST(payload->>'n' AS BIGINT) + 1 AS n1 FROM orders WHERE payload->>'customer' IS NOT NULL ORDER BY shard_id, sequence_number`,
  ],
];

describe('rewritten and original queries agree (property)', () => {
  it('over random records in objects with and without field columns, both layouts and the live tail', async () => {
    const paths = [...PATHS, ['é']];
    await fc.assert(
      fc.asyncProperty(fc.array(body, { minLength: 4, maxLength: 24 }), async (bodies) => {
        const rs = (shard: string, part: Buffer[]) => records('orders', shard, 10n, START, part.map(() => '')).map((r, i) => ({ ...r, data: part[i] }));
        const q = Math.ceil(bodies.length / 4);
        const parts = [bodies.slice(0, q), bodies.slice(q, 2 * q), bodies.slice(2 * q, 3 * q), bodies.slice(3 * q)];
        const files: ArchiveFile[] = [];
        if (parts[0].length) {
          files.push(await objectOf('v2-fields', rs('s-1', parts[0]), paths));
          // the same records again in a layout-1 object: overlapping objects are de-duplicated, fields and all
          files.push(await objectOf('v1', rs('s-1', parts[0])));
        }
        if (parts[1].length) files.push(await objectOf('v1', rs('s-2', parts[1])));
        if (parts[2].length) files.push(await objectOf('v2', rs('s-3', parts[2])));
        const live = parts[3].length ? rs('s-4', parts[3]) : [];
        const source: StreamSource = {
          name: 'orders',
          archiveFiles: files,
          live: live.map((r) => ({ shardId: r.shardId, sequenceNumber: r.sequenceNumber, subSequenceNumber: 0, partitionKey: r.partitionKey, arrivalTime: r.arrivalTime, data: r.data })),
          fields: SCHEMA,
        };
        expect(streamFields(source).length).toBeGreaterThan(0);
        for (const sql of QUERIES) {
          // the rewrite really applies to each query (else the comparison would prove nothing)
          expect(await rewrittenByEngine(sql, source)).toContain(WIDE);
          expect(await rows(sql, [source], true)).toEqual(await rows(sql, [source], false));
        }
        expect(await rewrittenByEngine(DOUBLE_CONSTANTS, source)).toContain(WIDE);
        expect(await rows(DOUBLE_CONSTANTS, [source], true)).toEqual(await rows(DOUBLE_CONSTANTS, [source], false));
        for (const [typed, plain] of TYPED_PAIRS) {
          const [typedHead, ...typedRows] = await rows(typed, [source], true);
          const [plainHead, ...plainRows] = await rows(plain, [source], true);
          expect(typedRows).toEqual(plainRows);
          expect(typedHead).toEqual(plainHead);
        }
      }),
      { numRuns: 12 },
    );
  }, 240_000);
});
