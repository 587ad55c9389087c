import { DuckDBInstance, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { mapDuckDbError, typedColumnHint } from './duckdb-engine';
import { QueryInvalidError, QueryRejectedError, QuerySyntaxError } from './query.errors';
import { isObject, walk, walkScoped, type Json } from './sql-ast';
import { assertReadsOnlyStreams } from './sql-guard';
import { READ_KEYWORDS, leadingKeyword, sqlIdentifier } from './sql-text';
import { STREAM_COLUMNS } from './stream-view';

/** A time window on arrival_time, epoch ms UTC; either end may be open; both ends inclusive. */
export interface TimeBounds {
  from?: number;
  to?: number;
}

export interface SqlAnalysis {
  /**
   * Unqualified table names the statement reads (streams), spelled as first written, de-duplicated; a reference
   * to a CTE where that CTE is in scope is not one.
   */
  tables: string[];
  /** Per lower-cased table name: the arrival_time window every reference is restricted to; absent = none found. */
  timeBounds: Map<string, TimeBounds>;
}

type Literal = { text: string; type: string };

const CASTABLE_TIME_TYPES = /^(TIMESTAMP( WITH TIME ZONE)?|TIMESTAMP_(S|MS|NS)|DATE|VARCHAR)$/;

/**
 * Reads a statement with DuckDB's own parser (`json_serialize_sql`) in a private, locked instance with no file
 * access: reports syntax errors with DuckDB's message and position, refuses anything but one SELECT, and finds
 * the tables it reads and the arrival_time predicates the catalog can prune objects with.
 */
export class SqlAnalyzer {
  private connection?: Promise<DuckDBConnection>;

  private async connect(): Promise<DuckDBConnection> {
    this.connection ??= this.lockedConnection();
    return this.connection;
  }

  async analyze(sql: string): Promise<SqlAnalysis> {
    if (sql.trim() === '') throw new QueryRejectedError('the query is empty');
    const keyword = leadingKeyword(sql);
    if (!READ_KEYWORDS.has(keyword)) {
      throw new QueryRejectedError(`only a single read-only SELECT or WITH statement is allowed (got ${keyword || 'nothing'})`);
    }
    const c = await this.connect();
    const extracted = await c.extractStatements(sql).catch((err: unknown) => err as Error);
    if (extracted instanceof Error) throw await this.syntaxError(c, sql, extracted);
    if (extracted.count !== 1) {
      throw new QueryRejectedError(`exactly one statement is allowed, got ${extracted.count}`);
    }
    const reader = await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql]);
    const ast = JSON.parse(String(reader.getRows()[0][0])) as Json;
    if (ast.error) {
      // json_serialize_sql only serialises SELECT statements: anything else parsed but is not a query.
      if (ast.error_type === 'parser') throw new QuerySyntaxError(String(ast.error_message), numberOrUndefined(ast.position));
      throw new QueryRejectedError(`only a single read-only SELECT or WITH statement is allowed: ${String(ast.error_message)}`);
    }
    assertReadsOnlyStreams(ast, sql);
    const tables = new Map<string, Json[]>();
    const spelling = new Map<string, string>();
    const constrained = new Map<Json, { from?: Literal[]; to?: Literal[] }>();
    walkScoped(ast, (node, ctes) => {
      // A reference to a CTE in scope is no table; the same name elsewhere is (a stream the planner must serve).
      if (node.type === 'BASE_TABLE' && typeof node.table_name === 'string' && !node.schema_name && !node.catalog_name && !ctes.has(node.table_name.toLowerCase())) {
        const name = node.table_name.toLowerCase();
        if (!spelling.has(name)) spelling.set(name, node.table_name);
        tables.set(name, [...(tables.get(name) ?? []), node]);
      }
      if (node.type === 'SELECT_NODE' && isObject(node.from_table) && node.from_table.type === 'BASE_TABLE') {
        const from = node.from_table;
        const names = new Set([String(from.table_name).toLowerCase(), String(from.alias ?? '').toLowerCase()].filter(Boolean));
        const bounds = literalBounds(node.where_clause, names);
        if (bounds) constrained.set(from, bounds);
      }
    });
    const timeBounds = new Map<string, TimeBounds>();
    for (const [name, refs] of tables) {
      const perRef: TimeBounds[] = [];
      for (const ref of refs) {
        const lit = constrained.get(ref);
        if (!lit) break;
        perRef.push({
          from: await this.maxOf(c, lit.from),
          to: await this.minOf(c, lit.to),
        });
      }
      if (perRef.length !== refs.length) continue;
      // The view serves every reference, so it must hold the union of their windows.
      const from = perRef.some((b) => b.from === undefined) ? undefined : Math.min(...perRef.map((b) => b.from!));
      const to = perRef.some((b) => b.to === undefined) ? undefined : Math.max(...perRef.map((b) => b.to!));
      if (from !== undefined || to !== undefined) timeBounds.set(name, { from, to });
    }
    return { tables: [...spelling.values()], timeBounds };
  }

  /**
   * Checks a fragment a replay embeds into its own statement over one stream table: a `predicate` (a WHERE
   * condition) or an `expression` (a compaction key). The fragment is parsed inside a one-table SELECT by DuckDB's
   * parser and must stay exactly that fragment: no second statement, set operation, CTE, ORDER/LIMIT, table
   * function or other table (a subquery may read only the same stream), so it cannot change the shape of the
   * statement it is put into. Then it is bound like a query (unknown columns, type errors, file access refused).
   */
  async checkFragment(
    table: string,
    fragment: string,
    role: 'predicate' | 'expression',
    label: string,
    /** the table's typed field columns, which a fragment may name */
    typed: ReadonlyMap<string, readonly { name: string; type: string }[]> = new Map(),
  ): Promise<void> {
    if (fragment.trim() === '') throw new QueryRejectedError(`${label} is empty`);
    const sql = role === 'predicate' ? `SELECT * FROM ${sqlIdentifier(table)} WHERE (${fragment})` : `SELECT (${fragment}) FROM ${sqlIdentifier(table)}`;
    const c = await this.connect();
    const reader = await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql]);
    const ast = JSON.parse(String(reader.getRows()[0][0])) as Json;
    const invalid = (why: string) => new QueryRejectedError(`${label} must be a single SQL ${role === 'predicate' ? 'condition' : 'expression'} over ${table}: ${why}`);
    if (ast.error) throw ast.error_type === 'parser' ? new QuerySyntaxError(`${label}: ${String(ast.error_message)}`) : invalid(String(ast.error_message));
    const statements = Array.isArray(ast.statements) ? (ast.statements as Json[]) : [];
    const node = statements[0]?.node;
    if (statements.length !== 1 || !isObject(node) || node.type !== 'SELECT_NODE') throw invalid('it changes the statement it is part of');
    const cte = isObject(node.cte_map) && Array.isArray(node.cte_map.map) ? node.cte_map.map.length : 0;
    const from = node.from_table;
    const shapeOk =
      cte === 0 &&
      Array.isArray(node.modifiers) &&
      node.modifiers.length === 0 &&
      Array.isArray(node.group_expressions) &&
      node.group_expressions.length === 0 &&
      !node.having &&
      !node.qualify &&
      !node.sample &&
      isObject(from) &&
      from.type === 'BASE_TABLE' &&
      String(from.table_name).toLowerCase() === table.toLowerCase() &&
      Array.isArray(node.select_list) &&
      node.select_list.length === 1 &&
      (role === 'predicate' ? isObject(node.select_list[0]) && node.select_list[0].type === 'STAR' && !!node.where_clause : !node.where_clause);
    if (!shapeOk) throw invalid('it changes the statement it is part of');
    assertReadsOnlyStreams(node, sql);
    walk(role === 'predicate' ? node.where_clause : node.select_list, (n) => {
      if (n.type === 'TABLE_FUNCTION') throw invalid('table functions are not allowed');
      if (n.type === 'BASE_TABLE' && (String(n.table_name).toLowerCase() !== table.toLowerCase() || n.schema_name || n.catalog_name)) {
        throw invalid(`it may read no other table than ${table}`);
      }
    });
    try {
      await this.bindCheck(sql, [table], typed);
    } catch (err) {
      if (err instanceof QueryRejectedError || err instanceof QuerySyntaxError) throw err;
      throw new QueryInvalidError(`${label}: ${(err as Error).message}`, { cause: err });
    }
  }

  /**
   * Binds the statement against empty stream tables in a throw-away instance with external access off and the
   * configuration locked, so that what only shows when DuckDB binds (a table function reading a file outside
   * the archive, an unknown column, a statement that is not a SELECT) is refused before the query is queued.
   */
  async bindCheck(sql: string, tables: string[], typed: ReadonlyMap<string, readonly { name: string; type: string }[]> = new Map()): Promise<void> {
    // A small pool of locked instances, each checking one statement at a time inside a transaction that is rolled
    // back, so the empty stream tables never outlive the check (and no instance is created per query).
    const slot = this.checkers[this.nextChecker++ % this.checkers.length];
    const run = slot.queue.then(async () => {
      slot.connection ??= this.lockedConnection();
      const c = await slot.connection;
      await c.run('BEGIN TRANSACTION');
      try {
        // First the stream tables as they are (base columns); a statement that names a typed virtual column
        // ("payload.customer") binds again with the typed columns added, as the rewrite reads them.
        const bind = async (withTyped: boolean) => {
          for (const table of tables) {
            const columns = [...STREAM_COLUMNS, ...(withTyped ? (typed.get(table.toLowerCase()) ?? []) : [])]
              .map((col) => `${sqlIdentifier(col.name)} ${col.type}`)
              .join(', ');
            await c.run(`CREATE OR REPLACE TABLE ${sqlIdentifier(table)} (${columns})`);
          }
          const extracted = await c.extractStatements(sql);
          if (extracted.count !== 1) throw new QueryRejectedError(`exactly one statement is allowed, got ${extracted.count}`);
          const prepared = await extracted.prepare(0);
          const type = prepared.statementType;
          prepared.destroySync();
          if (type !== StatementType.SELECT) throw new QueryRejectedError(`only a read-only SELECT is allowed, got ${StatementType[type]}`);
        };
        try {
          await bind(false);
        } catch (err) {
          const named = [...typed.values()].some((cols) => cols.some((col) => (err as Error).message?.includes(`"${col.name}"`)));
          if (!named) throw err;
          await bind(true);
        }
      } catch (err) {
        throw typedColumnHint(mapDuckDbError(err), new Set([...typed.values()].flatMap((cols) => cols.map((col) => col.name.toLowerCase()))));
      } finally {
        await c.run('ROLLBACK');
      }
    });
    slot.queue = run.catch(() => undefined);
    return run;
  }

  private readonly checkers: { connection?: Promise<DuckDBConnection>; queue: Promise<unknown> }[] = [
    { queue: Promise.resolve() },
    { queue: Promise.resolve() },
  ];
  private nextChecker = 0;

  private async lockedConnection(): Promise<DuckDBConnection> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '64MB',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
    });
    const c = await instance.connect();
    await c.run(`SET TimeZone = 'UTC'`);
    await c.run(`SET enable_external_access = false`);
    await c.run(`SET lock_configuration = true`);
    return c;
  }

  private async syntaxError(c: DuckDBConnection, sql: string, err: Error): Promise<Error> {
    // json_serialize_sql reports the parser's message with the character position; extractStatements does not.
    try {
      const reader = await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql]);
      const ast = JSON.parse(String(reader.getRows()[0][0])) as Json;
      if (ast.error && ast.error_type === 'parser') {
        return new QuerySyntaxError(`Parser Error: ${String(ast.error_message)}`, numberOrUndefined(ast.position), { cause: err });
      }
    } catch {
      // fall through to DuckDB's own message
    }
    return new QuerySyntaxError(err.message.replace(/^Failed to extract statements: /, ''), undefined, { cause: err });
  }

  private async epochMs(c: DuckDBConnection, lit: Literal): Promise<number | undefined> {
    if (!CASTABLE_TIME_TYPES.test(lit.type)) return undefined;
    try {
      const type = lit.type === 'VARCHAR' ? 'TIMESTAMP' : lit.type;
      const reader = await c.runAndReadAll(`SELECT epoch_ms(CAST(CAST($1::VARCHAR AS ${type}) AS TIMESTAMP))`, [lit.text]);
      const v = reader.getRows()[0][0];
      return v === null ? undefined : Number(v);
    } catch {
      return undefined; // not a time literal: no pruning from it, DuckDB will judge the query itself
    }
  }

  private async maxOf(c: DuckDBConnection, lits?: Literal[]): Promise<number | undefined> {
    const values = (await Promise.all((lits ?? []).map((l) => this.epochMs(c, l)))).filter((v): v is number => v !== undefined);
    return values.length ? Math.max(...values) : undefined;
  }

  private async minOf(c: DuckDBConnection, lits?: Literal[]): Promise<number | undefined> {
    const values = (await Promise.all((lits ?? []).map((l) => this.epochMs(c, l)))).filter((v): v is number => v !== undefined);
    return values.length ? Math.min(...values) : undefined;
  }
}

function numberOrUndefined(v: unknown): number | undefined {
  const n = Number(v);
  return v === undefined || v === null || Number.isNaN(n) ? undefined : n;
}

function isArrivalTime(expr: unknown, names: Set<string>): boolean {
  if (!isObject(expr) || expr.type !== 'COLUMN_REF' || !Array.isArray(expr.column_names)) return false;
  const parts = (expr.column_names as string[]).map((p) => p.toLowerCase());
  if (parts[parts.length - 1] !== 'arrival_time') return false;
  return parts.length === 1 || (parts.length === 2 && names.has(parts[0]));
}

function literalOf(expr: unknown): Literal | undefined {
  if (!isObject(expr)) return undefined;
  if (expr.type === 'VALUE_CONSTANT' && isObject(expr.value) && !expr.value.is_null) {
    const type = isObject(expr.value.type) ? String(expr.value.type.id) : '';
    return type === 'VARCHAR' ? { text: String(expr.value.value), type } : undefined;
  }
  if (expr.type === 'OPERATOR_CAST' && !expr.try_cast && isObject(expr.cast_type)) {
    const inner = literalOf(expr.child);
    return inner ? { text: inner.text, type: String(expr.cast_type.id) } : undefined;
  }
  return undefined;
}

const FLIP: Record<string, string> = {
  COMPARE_GREATERTHAN: 'COMPARE_LESSTHAN',
  COMPARE_GREATERTHANOREQUALTO: 'COMPARE_LESSTHANOREQUALTO',
  COMPARE_LESSTHAN: 'COMPARE_GREATERTHAN',
  COMPARE_LESSTHANOREQUALTO: 'COMPARE_GREATERTHANOREQUALTO',
  COMPARE_EQUAL: 'COMPARE_EQUAL',
};

/**
 * The literal lower and upper bounds on arrival_time among the top-level AND terms of a WHERE clause. Only terms
 * that every row must satisfy count; OR, NOT and expressions over arrival_time are ignored (no pruning from them).
 */
function literalBounds(where: unknown, names: Set<string>): { from?: Literal[]; to?: Literal[] } | undefined {
  if (!isObject(where)) return undefined;
  const terms = where.type === 'CONJUNCTION_AND' && Array.isArray(where.children) ? (where.children as unknown[]) : [where];
  const from: Literal[] = [];
  const to: Literal[] = [];
  for (const term of terms) {
    if (!isObject(term)) continue;
    if (term.type === 'COMPARE_BETWEEN' && isArrivalTime(term.input, names)) {
      const lo = literalOf(term.lower);
      const hi = literalOf(term.upper);
      if (lo) from.push(lo);
      if (hi) to.push(hi);
      continue;
    }
    let op = String(term.type);
    if (!(op in FLIP)) continue;
    let lit: Literal | undefined;
    if (isArrivalTime(term.left, names)) lit = literalOf(term.right);
    else if (isArrivalTime(term.right, names)) {
      lit = literalOf(term.left);
      op = FLIP[op];
    }
    if (!lit) continue;
    if (op === 'COMPARE_GREATERTHAN' || op === 'COMPARE_GREATERTHANOREQUALTO' || op === 'COMPARE_EQUAL') from.push(lit);
    if (op === 'COMPARE_LESSTHAN' || op === 'COMPARE_LESSTHANOREQUALTO' || op === 'COMPARE_EQUAL') to.push(lit);
  }
  return from.length || to.length ? { from, to } : undefined;
}
