import { STREAM_NAME_PATTERN } from '@flux-capacitor/contracts';
import { QueryRejectedError } from './query.errors';
import { isObject, walkScoped, type Json } from './sql-ast';


/**
 * Table functions a query may call: they make rows from their arguments and touch nothing outside the statement.
 * Everything else (read_csv, read_text, glob, duckdb_settings(), pragma_*, query_table, ...) reads files, the
 * engine's own state or other tables, so an allow-list rather than a list of what is known to be dangerous.
 */
const ALLOWED_TABLE_FUNCTIONS = new Set(['range', 'generate_series', 'unnest', 'json_each', 'json_tree']);

/**
 * Scalar functions that read the engine's settings, the process environment, files or the system catalog: a query
 * must not learn the gateway's paths, settings or other sessions' objects through them. The query and transaction
 * counters too: an instance is reused by the next query over the same objects (duckdb-engine.ts), and they would tell
 * that query how many statements ran there before it.
 */
const DENIED_FUNCTIONS = new Set([
  'current_setting',
  'getenv',
  'getvariable',
  'which_secret',
  'query',
  'query_table',
  'glob',
  'current_database',
  'current_query_id',
  'txid_current',
  'current_transaction_id',
]);
const DENIED_FUNCTION_PREFIXES = ['duckdb_', 'pragma_', 'sqlite_', 'pg_', 'read_', 'parquet_', 'sniff_', 'iceberg_', 'delta_'];

/** Names DuckDB resolves to its system catalog (views such as duckdb_settings, information_schema.views). */
const SYSTEM_TABLE_PREFIXES = ['duckdb_', 'pragma_', 'sqlite_', 'pg_'];
const SYSTEM_SCHEMAS = new Set(['information_schema', 'pg_catalog', 'system', 'temp', 'main', 'memory']);

const deniedFunction = (name: string) => DENIED_FUNCTIONS.has(name) || DENIED_FUNCTION_PREFIXES.some((p) => name.startsWith(p));

/**
 * Refuses, on DuckDB's parsed statement (`json_serialize_sql`), anything that reads more than the streams: a table
 * that is not a valid stream name (a file path such as `'/etc/passwd'`) unless it is a CTE in scope where it is read,
 * a string literal in FROM (DuckDB reads it as a file), a system table or schema, a table function outside the allow-list and a function that reads settings, the
 * environment or files. Each refusal names what it refused. The locked DuckDB session is the second line.
 */
export function assertReadsOnlyStreams(ast: unknown, sql: string): void {
  const text = Buffer.from(sql, 'utf8');
  walkScoped(ast, (node, ctes) => {
    if (node.type === 'BASE_TABLE') {
      if (isStringLiteral(text, node.query_location)) {
        throw new QueryRejectedError(`FROM '${String(node.table_name)}' reads a file: name a stream as a table (FROM orders or FROM "orders")`, {
          details: { table: node.table_name },
        });
      }
      checkTable(node, ctes);
    }
    else if (node.type === 'TABLE_FUNCTION' && isObject(node.function)) {
      const name = String(node.function.function_name).toLowerCase();
      if (!ALLOWED_TABLE_FUNCTIONS.has(name)) {
        throw new QueryRejectedError(`table function ${name}() is not allowed: a query reads streams; allowed are ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')}`, {
          details: { function: name },
        });
      }
    } else if (node.class === 'FUNCTION' && typeof node.function_name === 'string') {
      const name = node.function_name.toLowerCase();
      if (deniedFunction(name)) {
        throw new QueryRejectedError(`function ${name}() is not allowed: it reads the engine's settings, the environment or files`, { details: { function: name } });
      }
    }
  });
}

function checkTable(node: Json, ctes: ReadonlySet<string>): void {
  const table = String(node.table_name);
  const schema = String(node.schema_name ?? '');
  const catalog = String(node.catalog_name ?? '');
  if (schema || catalog) {
    const qualifier = (catalog ? [catalog, schema] : [schema]).filter(Boolean).map((s) => s.toLowerCase());
    if (qualifier.some((q) => SYSTEM_SCHEMAS.has(q))) {
      throw new QueryRejectedError(`${[...qualifier, table].join('.')} is not allowed: a query reads streams, not the engine's catalog`, { details: { table } });
    }
    return; // another engine's schema (Drill's dfs.flux): that engine resolves and guards it
  }
  const lower = table.toLowerCase();
  // Checked even for a CTE's name: a reference outside the CTE's scope reads the system view of that name.
  if (SYSTEM_TABLE_PREFIXES.some((p) => lower.startsWith(p))) {
    throw new QueryRejectedError(`${table} is not allowed: names starting with ${SYSTEM_TABLE_PREFIXES.join(', ')} are the engine's catalog`, { details: { table } });
  }
  if (ctes.has(lower)) return; // a CTE in scope here: DuckDB binds it to the CTE, not to a file or stream
  if (!STREAM_NAME_PATTERN.test(table)) {
    throw new QueryRejectedError(
      `${JSON.stringify(table)} is not a stream name: a table is a Kinesis stream, named with 1 to 128 letters, digits, '_', '.' or '-' (files cannot be read)`,
      { details: { table } },
    );
  }
}

/** Whether the table reference at byte offset `location` of the statement is written as a string ('x', E'x', $$x$$). */
function isStringLiteral(text: Buffer, location: unknown): boolean {
  if (typeof location !== 'number' || location < 0 || location >= text.length) return false;
  const c = text[location];
  const quote = 0x27;
  return c === quote || c === 0x24 /* $ */ || ((c === 0x45 || c === 0x65) /* E e */ && text[location + 1] === quote);
}
