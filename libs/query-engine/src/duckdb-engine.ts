import { randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTimestampValue, StatementType, type DuckDBConnection } from '@duckdb/node-api';
import { FluxError, isFluxError } from '@flux-capacitor/contracts';
import {
  ArchiveObjectUnreadableError,
  QueryCancelledError,
  QueryEngineUnavailableError,
  QueryInvalidError,
  QueryRejectedError,
  QuerySyntaxError,
  QueryTimeoutError,
} from './query.errors';
import type { ResultColumn, ResultSet } from './result-set';
import { sqlIdentifier, sqlString, stripTrailingSemicolons } from './sql-text';
import type { ArchiveFile, StreamSource } from './stream-source';
import { Logger } from '@nestjs/common';
import { pinDoubleConstants, resultSelectNodes, rewriteFieldRefs, type RewriteTable } from './field-rewrite';
import { isObject, parseAst, stringifyAst, walk, type Json } from './sql-ast';
import { fieldsNamedIn, liveTableDdl, liveTableName, streamFields, streamViewStatements, wideViewName } from './stream-view';

/** How often an interrupt is repeated until the interrupted statement ends. */
const INTERRUPT_REPEAT_MS = 100;

export interface DuckDbEngineOptions {
  /** where each query gets a private folder for DuckDB's spill files and exported results */
  workDir: string;
  threads: number;
  /** DuckDB memory_limit, e.g. `1GB` */
  memoryLimit: string;
  /** instances of finished queries kept idle for later queries over the same objects (open); default 4, 0 = none */
  maxIdleInstances?: number;
}

export interface DuckDbRunOptions {
  sql: string;
  sources: StreamSource[];
  maxRows: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** called about every 250 ms while the statement runs, with DuckDB's rows-processed counter and fraction done */
  onProgress?: (rowsProcessed: number, fraction: number) => void;
  /** false: run the SQL as written, without reading field columns for `payload->>'path'` (tests compare both) */
  rewriteFields?: boolean;
}

export interface DuckDbSessionOptions {
  sources: StreamSource[];
  /** for all statements of the session together */
  timeoutMs: number;
  signal?: AbortSignal;
  /** DuckDB memory_limit for this session (default: the engine's); larger work spills to disk */
  memoryLimit?: string;
  threads?: number;
  /** a folder the session's statements may write files into */
  outputDir?: string;
}

/** Statements run in a session; `all` returns rows as JSON-ready objects (BIGINT as strings, BLOB as escaped text). */
export interface DuckDbSession {
  run(sql: string): Promise<void>;
  all(sql: string): Promise<Record<string, unknown>[]>;
  /** A SELECT with `payload->>'path'` over the stream tables reading their field columns (rewriteFieldRefs); as is when nothing applies. */
  rewrite(select: string): Promise<string>;
}

const RESULT = '__flux_result';
/** Idle instances kept for later queries (each holds its cached footers) unless told otherwise, and for how long. */
const MAX_IDLE_INSTANCES = 4;
const IDLE_INSTANCE_MS = 60_000;

/** A query's instance, kept after its result was released (DuckDbEngine.open). */
interface WarmInstance {
  key: string;
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  /** its private folder (spill files, exported results) */
  dir: string;
  timer: NodeJS.Timeout;
}

/** Which queries may share an instance: those over the same streams reading the same objects (its allowed files). */
function warmKey(sources: StreamSource[]): string {
  return JSON.stringify(sources.map((s) => [s.name, s.archiveFiles.map((f) => f.path).sort()]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}

/** Closes an instance and removes its folder; a failure is logged, never thrown (callers are timers and promises). */
function closeQuietly(warm: { instance?: DuckDBInstance; connection?: DuckDBConnection; dir: string }): void {
  try {
    warm.connection?.closeSync();
    warm.instance?.closeSync();
    rmSync(warm.dir, { recursive: true, force: true });
  } catch (err) {
    new Logger(DuckDbEngine.name).warn({ msg: 'closing a query instance failed', error: err instanceof Error ? err.message : String(err) });
  }
}

/** Spill files, in the instance's folder: DuckDB removes them as it frees what spilled. */
const SPILL_DIR = 'spill';

/**
 * Anything a released instance must not hold: non-zero (or a setting on) means it is closed instead of kept. No macro
 * term: a single SELECT cannot create one, and listing functions took ~27 ms of the check's ~30.
 */
const LEFTOVERS_SQL =
  `SELECT (SELECT count(*) FROM duckdb_tables() WHERE NOT internal), (SELECT count(*) FROM duckdb_views() WHERE NOT internal), ` +
  `(SELECT count(*) FROM duckdb_sequences()), (SELECT count(*) FROM duckdb_logs()), ` +
  `(SELECT count(*) FROM duckdb_settings() WHERE (name = 'enable_logging' AND value NOT IN ('0', 'false')) OR (name = 'enable_profiling' AND value IS NOT NULL))`;

/**
 * Runs one statement in a private in-memory DuckDB instance that can see nothing but the query's archive files:
 * the stream views are registered first, then external access is switched off (only the listed object files
 * and the query's own work folder stay readable) and the configuration is locked, so the statement cannot
 * re-enable anything, load extensions, attach databases or read other files. The statement must prepare as a
 * single SELECT; it runs under a timeout (interrupt) and a row cap, and its rows stay in the instance until
 * the ResultSet is closed.
 */
export class DuckDbEngine {
  private readonly logger = new Logger(DuckDbEngine.name);
  /** An instance created ahead of the next query, so its ~20 ms start-up is off the query's path. */
  private spare?: Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }>;
  /** Instances of finished queries, kept for the next query over the same streams and objects (open). */
  private readonly idle: WarmInstance[] = [];
  private closed = false;

  private readonly maxIdle: number;

  constructor(private readonly options: DuckDbEngineOptions) {
    this.maxIdle = options.maxIdleInstances ?? MAX_IDLE_INSTANCES;
  }

  private async createInstance(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: String(this.options.threads),
      memory_limit: this.options.memoryLimit,
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      // An instance serves one query and reads each object once: caching file bytes only costs (closing an
      // instance that cached a scan's objects took 60-100 ms on the main thread, against 30-50 without).
      enable_external_file_cache: 'false',
    });
    return { instance, connection: await instance.connect() };
  }

  private async takeInstance(): Promise<{ instance: DuckDBInstance; connection: DuckDBConnection }> {
    const ready = this.spare ?? this.createInstance();
    this.spare = this.createInstance();
    this.spare.catch(() => (this.spare = undefined));
    return ready;
  }

  /** How many instances are idle, kept for later queries (open). */
  get idleInstances(): number {
    return this.idle.length;
  }

  /** Releases the instance kept ready for the next query and the idle ones. */
  close(): void {
    this.closed = true;
    void this.spare?.then(({ instance, connection }) => {
      connection.closeSync();
      instance.closeSync();
    });
    this.spare = undefined;
    for (const warm of this.idle.splice(0)) {
      clearTimeout(warm.timer);
      closeQuietly(warm);
    }
  }

  async run(options: DuckDbRunOptions): Promise<ResultSet> {
    // The views carry only the field columns the statement may use (a bounded view, see fieldsNamedIn).
    const opts = { ...options, sources: options.sources.map((s) => fieldsNamedIn(s, options.rewriteFields === false ? '' : options.sql)) };
    const budget = this.probeBudget(opts, [opts.sql]);
    const { c, dir, cleanup } = await this.open(opts.sources).catch(async (err: unknown) => {
      throw (await unreadableObjectError(err, opts.sources, budget)) ?? err;
    });
    const original = stripTrailingSemicolons(opts.sql);
    let sql = original;
    try {
      // A statement naming a typed (virtual) column binds only once rewritten (the rewrite checks its own text).
      let unbound: unknown;
      const names = await assertSingleSelect(c, original).catch((err: unknown) => {
        if (!unknownTypedColumn(err, typedNamesOf(opts.sources))) throw err;
        unbound = err;
        return undefined;
      });
      if (opts.rewriteFields !== false) sql = await this.rewrite(c, original, opts.sources, names);
      if (unbound !== undefined && sql === original) throw unbound;
      // DuckDB names an unaliased column after the item as parsed, which printing does not keep (`x::DOUBLE` is named
      // `CAST(x AS "DOUBLE")`, printed `CAST(x AS DOUBLE)`): a rewritten statement's columns take the original's
      // names by position (rewrite checks they are as many), so the rewrite never renames a result column.
      const renamed = sql !== original && names ? `(${names.map(sqlIdentifier).join(', ')})` : '';
      await this.execute(c, `CREATE TABLE ${RESULT} AS SELECT * FROM (\n${sql}\n) AS q${renamed} LIMIT ${opts.maxRows + 1}`, opts);

      const described = await c.runAndReadAll(`SELECT * FROM ${RESULT} LIMIT 0`);
      // The result is paged, exported and cut by its table's row ids, which a column named rowid would hide.
      const rowid = described.columnNames().find((name) => name.toLowerCase() === 'rowid');
      if (rowid) throw new QueryInvalidError(`a result column cannot be named ${rowid}: give it another alias (AS ...)`);
      const count = Number((await c.runAndReadAll(`SELECT count(*) FROM ${RESULT}`)).getRows()[0][0]);
      const truncated = count > opts.maxRows;
      if (truncated) await c.run(`DELETE FROM ${RESULT} WHERE rowid >= ${opts.maxRows}`);
      const columns: ResultColumn[] = described.columnNames().map((name, i) => ({ name, type: described.columnTypes()[i].toString() }));
      const typeNames = described.columnTypes().map((t) => t.alias ?? t.toString());
      return new DuckDbResultSet(c, dir, columns, truncated ? opts.maxRows : count, truncated, cleanup, typeNames);
    } catch (err) {
      cleanup();
      throw (await unreadableObjectError(err, opts.sources, budget)) ?? typedColumnHint(sql === original ? err : inUserTerms(err, opts.sources), typedNamesOf(opts.sources));
    }
  }

  /**
   * The statement reading field columns where it extracts text from a stream table's payload (rewriteFieldRefs),
   * or the statement itself when nothing applies, the rewritten text does not prepare as one SELECT, or (given the
   * original's column `names`) it has another number of columns.
   */
  private async rewrite(c: DuckDBConnection, sql: string, sources: StreamSource[], names?: readonly string[]): Promise<string> {
    const tables = new Map<string, RewriteTable>();
    for (const source of sources) {
      const fields = streamFields(source);
      if (fields.length > 0) tables.set(source.name.toLowerCase(), { wide: wideViewName(source.name), fields });
    }
    // `NOT MATERIALIZED` does not survive json_serialize_sql (the printed CTE would be materialized: one random() per
    // row instead of one per reference), and so cannot be checked: such statements run as written.
    if (tables.size === 0 || /\bNOT(\s|\/\*[\s\S]*?\*\/|--[^\n]*(\n|$))*MATERIALIZED\b/i.test(sql)) return sql;
    try {
      const ast = parseAst(String((await c.runAndReadAll(`SELECT json_serialize_sql($1::VARCHAR)`, [sql])).getRows()[0][0]));
      if (ast.error) return sql;
      const rewrite = rewriteFieldRefs(ast, tables);
      if (!rewrite) return sql;
      // An unaliased item is named after its text. Where the original's names are known, `run` names the result's
      // columns by position, so the items that make them get no alias (one could capture an ORDER BY name). Deeper
      // items (subqueries, CTEs) are aliased with the printed original, which is DuckDB's name but for casts: it
      // names `x::DOUBLE` as parsed, `CAST(x AS "DOUBLE")`, and prints it `CAST(x AS DOUBLE)`, so a cast there keeps
      // the original. A statement that binds only rewritten (typed columns) has no original names to keep.
      const named = names ? resultSelectNodes(rewrite.ast) : new Set<Json>();
      for (const { original, target, node } of rewrite.unnamed) {
        if (named.has(node)) continue;
        const name = await expressionName(c, original);
        if (names && (/CAST\(/i.test(name) || nameInUse(rewrite.ast, node, name))) {
          this.logger.debug({ msg: 'field column rewrite not used: an unaliased item below the result cannot keep its name' });
          return sql;
        }
        target.alias = name;
      }
      // DuckDB's printer does not always print what it parsed: a DOUBLE constant 1e-1 prints as 0.1, a DECIMAL, so
      // those are pinned where no name depends on them (pinDoubleConstants). The text must parse back to exactly the
      // edited tree, else the original runs. Printed and parsed back in one call.
      pinDoubleConstants(rewrite.ast);
      const [printed, back] = (
        await c.runAndReadAll(`SELECT t, json_serialize_sql(t) FROM (SELECT json_deserialize_sql($1::JSON) AS t)`, [stringifyAst(rewrite.ast)])
      ).getRows()[0];
      const text = String(printed);
      const reparsed = parseAst(String(back));
      if (stringifyAst(positionless(reparsed)) !== stringifyAst(positionless(rewrite.ast))) {
        this.logger.debug({ msg: 'field column rewrite not used: the printed statement parses differently' });
        return sql;
      }
      const columns = await assertSingleSelect(c, text);
      if (names && columns.length !== names.length) {
        this.logger.debug({ msg: 'field column rewrite not used: it changes the number of columns' });
        return sql;
      }
      return text;
    } catch (err) {
      this.logger.debug({ msg: 'field column rewrite not used', error: (err as Error).message });
      return sql;
    }
  }

  private probeBudget(opts: { timeoutMs: number; signal?: AbortSignal; memoryLimit?: string }, statements: string[]): ProbeBudget {
    return { deadline: Date.now() + opts.timeoutMs, signal: opts.signal, memoryLimit: opts.memoryLimit ?? this.options.memoryLimit, statements };
  }

  /**
   * Runs the caller's own statements (not user SQL: fragments of it are checked by SqlAnalyzer.checkFragment
   * first) over the stream tables, in the same locked-down instance a query gets. `outputDir` is the one folder
   * besides the private work folder that statements may write to (`COPY ... TO`). Each statement runs under the
   * timeout and the abort signal; the instance is gone when `work` returns.
   */
  async session<T>(opts: DuckDbSessionOptions, work: (session: DuckDbSession) => Promise<T>): Promise<T> {
    const statements: string[] = [];
    const budget = this.probeBudget(opts, statements);
    const { c, cleanup } = await this.open(opts.sources, { ...opts, reuse: false }).catch(async (err: unknown) => {
      throw (await unreadableObjectError(err, opts.sources, budget)) ?? err;
    });
    const started = Date.now();
    const exec = { timeoutMs: opts.timeoutMs, signal: opts.signal };
    const left = () => ({ ...exec, timeoutMs: Math.max(1, opts.timeoutMs - (Date.now() - started)) });
    try {
      return await work({
        run: (sql) => {
          statements.push(sql);
          return this.execute(c, sql, left());
        },
        all: async (sql) => {
          statements.push(sql);
          await this.execute(c, `CREATE OR REPLACE TEMP TABLE ${RESULT} AS ${sql}`, left());
          return (await c.runAndReadAll(`SELECT * FROM ${RESULT}`)).getRowObjectsJson() as Record<string, unknown>[];
        },
        rewrite: (select) => this.rewrite(c, stripTrailingSemicolons(select), opts.sources),
      });
    } catch (err) {
      // a statement may have gone through `rewrite`: its error names the user's expressions
      throw (await unreadableObjectError(err, opts.sources, budget)) ?? inUserTerms(err, opts.sources);
    } finally {
      cleanup();
    }
  }

  /**
   * An instance with the streams registered, external access off (but for the archive files) and locked. A query
   * (not a session: its settings differ) gets an idle instance left by an earlier query over the same streams and
   * the same objects when there is one: its sandbox (allowed files, lock) is exactly the one this query would get,
   * its Parquet footers are cached, and its views and tables were dropped when that query's result was released.
   * `cleanup(reuse)` releases it: back to the idle ones after a query that succeeded, else closed.
   */
  private async open(
    sources: StreamSource[],
    settings: { memoryLimit?: string; threads?: number; outputDir?: string; reuse?: boolean } = {},
  ): Promise<{ c: DuckDBConnection; dir: string; cleanup: (reuse?: boolean) => void }> {
    const reusable = settings.reuse !== false && this.maxIdle > 0 && !settings.memoryLimit && !settings.threads && !settings.outputDir;
    const key = reusable ? warmKey(sources) : undefined;
    const warm = key === undefined ? undefined : this.takeIdle(key);
    const dir = warm?.dir ?? mkdtempSync(join(this.options.workDir, 'q-'));
    let instance: DuckDBInstance | undefined = warm?.instance;
    let connection: DuckDBConnection | undefined = warm?.connection;
    let released = false;
    const cleanup = (reuse = false) => {
      if (released) return;
      released = true;
      if (reuse && key !== undefined && instance && connection && !this.closed) this.release({ key, instance, connection, dir }, sources);
      else closeQuietly({ instance, connection, dir });
    };
    try {
      if (!instance || !connection) ({ instance, connection } = await this.takeInstance());
      const c = connection;
      const files = sources.flatMap((s) => s.archiveFiles.map((f) => f.path));
      const writable = [`${dir}/`, ...(settings.outputDir ? [`${settings.outputDir.replace(/\/+$/, '')}/`] : [])];
      // Statements go in two batches (one call each: every call is a trip through the thread pool, and a query
      // made ~15 of them before its own statement), the live records' appenders in between. A warm instance has its
      // settings and lock already.
      const setup = warm
        ? []
        : [
            `SET temp_directory = ${sqlString(join(dir, SPILL_DIR))}`,
            `SET TimeZone = 'UTC'`,
            ...(settings.memoryLimit ? [`SET memory_limit = ${sqlString(settings.memoryLimit)}`] : []),
            ...(settings.threads ? [`SET threads = ${Math.floor(settings.threads)}`] : []),
            // query_progress() reports -1 unless the progress bar is on; it is never printed from here.
            `SET enable_progress_bar = true`,
            `SET enable_progress_bar_print = false`,
            // footers read once per instance, for the queries that reuse it (archive objects never change)
            ...(key !== undefined ? [`SET parquet_metadata_cache = true`] : []),
            `SET allowed_paths = [${files.map(sqlString).join(', ')}]`,
            `SET allowed_directories = [${writable.map(sqlString).join(', ')}]`,
          ];
      await c.run([...setup, ...sources.map((source) => liveTableDdl(source.name))].join(';\n'));
      for (const source of sources) await this.appendLive(c, source);
      await c.run(
        [
          ...sources.flatMap((source) => streamViewStatements(source)),
          ...(warm ? [] : [`SET enable_external_access = false`, `SET lock_configuration = true`]),
        ].join(';\n'),
      );
      return { c, dir, cleanup };
    } catch (err) {
      cleanup();
      throw err;
    }
  }

  /** An idle instance for `key` (the most recently used), if any. */
  private takeIdle(key: string): WarmInstance | undefined {
    for (let i = this.idle.length - 1; i >= 0; i--) {
      if (this.idle[i].key === key) {
        const [warm] = this.idle.splice(i, 1);
        clearTimeout(warm.timer);
        return warm;
      }
    }
    return undefined;
  }

  /**
   * Drops what a query created in its instance (views, live tables, its result, files in its folder), gives it a new
   * random seed (a query's setseed() must not make the next one's random() predictable) and keeps it idle for the
   * next query over the same streams and objects, once a check finds nothing left of the query (no table, view,
   * sequence or log entry; logging and profiling off): at most maxIdleInstances, each for IDLE_INSTANCE_MS. An
   * instance that fails the drop or the check is closed.
   */
  private release(warm: Omit<WarmInstance, 'timer'>, sources: StreamSource[]): void {
    const drops = [
      `DROP TABLE IF EXISTS ${RESULT}`,
      ...sources.flatMap((s) => [`DROP VIEW IF EXISTS ${sqlIdentifier(s.name)}`, `DROP VIEW IF EXISTS ${sqlIdentifier(wideViewName(s.name))}`]),
      ...sources.map((s) => `DROP TABLE IF EXISTS ${sqlIdentifier(liveTableName(s.name))}`),
      `SELECT setseed(${randomInt(2 ** 47) / 2 ** 46 - 1})`,
    ];
    const fail = (err: unknown) => {
      this.logger.warn({ msg: 'query instance not kept for reuse', error: err instanceof Error ? err.message : String(err) });
      closeQuietly(warm);
    };
    try {
      for (const entry of readdirSync(warm.dir)) if (entry !== SPILL_DIR) rmSync(join(warm.dir, entry), { recursive: true, force: true });
    } catch (err) {
      return fail(err);
    }
    warm.connection
      .run(drops.join(';\n'))
      .then(() => warm.connection.runAndReadAll(LEFTOVERS_SQL))
      .then((left) => {
        const [row] = left.getRows();
        if (row.some((v) => v !== 0n && v !== '0' && v !== null)) throw new Error(`the instance holds what a query left: ${row.map(String).join(', ')}`);
        if (this.closed) return closeQuietly(warm);
        const timer = setTimeout(() => {
          const i = this.idle.findIndex((w) => w.timer === timer);
          if (i >= 0) closeQuietly(this.idle.splice(i, 1)[0]);
        }, IDLE_INSTANCE_MS);
        timer.unref();
        this.idle.push({ ...warm, timer });
        while (this.idle.length > this.maxIdle) {
          const oldest = this.idle.shift()!;
          clearTimeout(oldest.timer);
          closeQuietly(oldest);
        }
      })
      .catch(fail);
  }

  /** Appends a stream's live records to its live table (liveTableDdl). */
  private async appendLive(c: DuckDBConnection, source: StreamSource): Promise<void> {
    if (source.live.length > 0) {
      const appender = await c.createAppender(liveTableName(source.name));
      for (const r of source.live) {
        appender.appendVarchar(r.shardId);
        appender.appendVarchar(r.sequenceNumber);
        appender.appendBigInt(BigInt(r.subSequenceNumber));
        appender.appendVarchar(r.partitionKey);
        appender.appendTimestamp(new DuckDBTimestampValue(BigInt(r.arrivalTime) * 1000n));
        appender.appendBlob(r.data);
        appender.endRow();
      }
      appender.closeSync();
    }
  }

  private async execute(c: DuckDBConnection, sql: string, opts: Pick<DuckDbRunOptions, 'timeoutMs' | 'signal' | 'onProgress'>): Promise<void> {
    let reason: 'timeout' | 'cancelled' | undefined;
    let again: NodeJS.Timeout | undefined;
    const interrupt = (why: 'timeout' | 'cancelled') => {
      reason ??= why;
      c.interrupt();
      // DuckDB begins the statement on a worker thread and clears the interrupt flag when it does: an interrupt that
      // lands before that is lost (a cancel then ran on until the timeout). Repeat it until the statement ends.
      again ??= setInterval(() => c.interrupt(), INTERRUPT_REPEAT_MS);
    };
    const timer = setTimeout(() => interrupt('timeout'), opts.timeoutMs);
    const onAbort = () => interrupt('cancelled');
    opts.signal?.addEventListener('abort', onAbort);
    const poll = opts.onProgress
      ? setInterval(() => {
          const p = c.progress;
          if (p.percentage >= 0) opts.onProgress!(Number(p.rows_processed), p.percentage / 100);
        }, 250)
      : undefined;
    try {
      if (opts.signal?.aborted) throw new QueryCancelledError();
      await c.run(sql);
    } catch (err) {
      if (reason === 'timeout') throw new QueryTimeoutError(opts.timeoutMs);
      if (reason === 'cancelled') throw new QueryCancelledError();
      throw mapDuckDbError(err);
    } finally {
      clearTimeout(timer);
      clearInterval(again);
      if (poll) clearInterval(poll);
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }
}

/**
 * The column name DuckDB gives a select-list expression without an alias (its text), taken from DuckDB's own
 * printer: a one-item SELECT of it (a plain SELECT, whatever the user's statement is), deserialised, minus `SELECT `.
 */
async function expressionName(c: DuckDBConnection, expression: Json): Promise<string> {
  const template = parseAst(String((await c.runAndReadAll(`SELECT json_serialize_sql('SELECT 1')`)).getRows()[0][0]));
  const statement = (template.statements as Json[])[0];
  const single = { ...template, statements: [{ ...statement, node: { ...(statement.node as Json), select_list: [expression] } }] };
  const text = String((await c.runAndReadAll(`SELECT json_deserialize_sql($1::JSON)`, [stringifyAst(single)])).getRows()[0][0]);
  if (!text.startsWith('SELECT ')) throw new Error(`cannot name ${text}`);
  return text.slice('SELECT '.length);
}

/**
 * Whether `name` (any case) is already an alias in the SELECT node or a column name referenced anywhere in the
 * statement: an alias of that name could take such a reference over (ORDER BY, or a name an inner query would
 * otherwise find in an outer one).
 */
function nameInUse(ast: Json, node: Json, name: string): boolean {
  const lower = name.toLowerCase();
  let used = Array.isArray(node.select_list) && node.select_list.some((item) => isObject(item) && String(item.alias ?? '').toLowerCase() === lower);
  walk(ast, (n) => {
    if (n.class === 'COLUMN_REF' && Array.isArray(n.column_names) && n.column_names.some((part) => String(part).toLowerCase() === lower)) used = true;
  });
  return used;
}

/**
 * A statement tree without what printing and re-parsing does not keep and that means nothing: source positions, and
 * the order of a star's EXCLUDE list (a set; DuckDB keeps it in its own order).
 */
function positionless(ast: unknown): unknown {
  if (Array.isArray(ast)) return ast.map(positionless);
  if (!isObject(ast)) return ast;
  return Object.fromEntries(
    Object.entries(ast)
      .filter(([key]) => key !== 'query_location')
      .map(([key, value]) => [key, key === 'exclude_list' && Array.isArray(value) ? value.map((v) => JSON.stringify(v)).sort() : positionless(value)]),
  );
}

/** An error of a rewritten statement, with the wide views and hidden columns named as the user's SQL names them. */
function inUserTerms(err: unknown, sources: StreamSource[]): unknown {
  if (!(err instanceof Error)) return err;
  for (const source of sources) {
    // Longest names first: __flux_f_1 is a prefix of __flux_f_10.
    for (const field of streamFields(source).reverse()) {
      err.message = err.message.split(field.hidden).join(`payload->>'$.${field.path.map((k) => `"${k}"`).join('.')}'`);
    }
    err.message = err.message.split(wideViewName(source.name)).join(source.name);
  }
  return err;
}

/**
 * A typed field column (`"payload.customer"`) is virtual: a query reads it only where the field rewrite applies
 * (docs/query.md). Elsewhere DuckDB reports the column unknown; the message then says so and what to write instead.
 */
export function typedColumnHint(err: unknown, typedNames: ReadonlySet<string>): unknown {
  const name = unknownTypedColumn(err, typedNames);
  if (!name || !(err instanceof Error)) return err;
  const path = name.slice('payload.'.length);
  err.message += ` (the typed field column "${name}" can only be read where its stream table is in the same SELECT's FROM, without NATURAL or USING joins, PIVOT or COLUMNS(); write CAST(payload->>'$.${path}' AS <type>) there instead)`;
  return err;
}

/** The typed column a binder error reports unknown, if it is one of `typedNames` (lower case). */
function unknownTypedColumn(err: unknown, typedNames: ReadonlySet<string>): string | undefined {
  const name = err instanceof Error ? /column "(payload\.[^"]+)" not found/i.exec(err.message)?.[1] : undefined;
  return name && typedNames.has(name.toLowerCase()) ? name : undefined;
}

function typedNamesOf(sources: StreamSource[]): Set<string> {
  return new Set(sources.flatMap((s) => streamFields(s).flatMap((f) => (f.typed ? [f.typed.name.toLowerCase()] : []))));
}

/** DuckDB's parser and planner decide: exactly one statement, and it prepares as a SELECT. Returns its column names. */
async function assertSingleSelect(c: DuckDBConnection, sql: string): Promise<string[]> {
  let extracted;
  try {
    extracted = await c.extractStatements(sql);
  } catch (err) {
    throw new QuerySyntaxError((err as Error).message.replace(/^Failed to extract statements: /, ''), undefined, { cause: err });
  }
  if (extracted.count !== 1) throw new QueryRejectedError(`exactly one statement is allowed, got ${extracted.count}`);
  let prepared;
  try {
    prepared = await extracted.prepare(0);
  } catch (err) {
    throw mapDuckDbError(err);
  }
  try {
    if (prepared.statementType !== StatementType.SELECT) {
      throw new QueryRejectedError(`only a read-only SELECT is allowed, got ${StatementType[prepared.statementType]}`);
    }
    return Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
  } finally {
    prepared.destroySync();
  }
}

/**
 * Sorts DuckDB's errors into the user's (invalid-input) and the system's. Anything that is not a DuckDB error (a
 * TypeError: a bug) is returned as it is, so the edge answers 500 and logs its stack.
 */
export function mapDuckDbError(err: unknown): Error {
  if (isFluxError(err)) return err;
  if (!(err instanceof Error)) return new FluxError('internal', 'QUERY_FAILED', String(err));
  const message = err.message;
  if (/^Parser Error/.test(message)) return new QuerySyntaxError(message, undefined, { cause: err });
  if (/^Permission Error/.test(message)) return new QueryRejectedError(`access outside the archive is not allowed: ${message}`, { cause: err });
  if (/^(IO Error|HTTP Error)/.test(message)) return new QueryEngineUnavailableError(message, { cause: err });
  if (/^(Binder|Catalog|Conversion|Invalid Input|Out of Range|Not implemented|Out of Memory|Invalid type|Invalid|Constraint|Dependency|Sequence) Error/.test(message)) {
    return new QueryInvalidError(message, { cause: err });
  }
  if (/^(INTERNAL|FATAL) Error/i.test(message)) return new FluxError('internal', 'QUERY_FAILED', message, { cause: err });
  // Another of DuckDB's error classes ("Parameter Not Resolved Error: ..."): about the statement, the user's to fix.
  if (/^[A-Z][A-Za-z ]* Error: /.test(message)) return new QueryInvalidError(message, { cause: err });
  return err;
}

/**
 * The start of DuckDB's own Parquet-reader errors (a truncated object, a corrupt footer or page). Anchored at the
 * message start so text a statement raises itself (`error('TProtocolException')` is "Invalid Input Error:
 * TProtocolException", `json('...parquet...')` quotes its input later in the message) rarely matches; statements
 * that call error() are never probed at all.
 */
const PARQUET_READER_ERROR =
  /^(Invalid Input|IO|Invalid|Corrupt|Serialization) Error: (TProtocolException|No magic bytes found|File .* too small to be a Parquet file|Failed to read file|Could not read enough bytes|Corrupt|.*[Dd]ecompression failure)/;
const CALLS_ERROR = /\berror\s*\(/i;
/** At most this many objects are opened to find an unnamed unreadable one; past it the query's own error stands. */
const MAX_PROBED_OBJECTS = 32;

/** What the search for an unreadable object may spend: what is left of the query's own time, memory and cancel. */
export interface ProbeBudget {
  /** epoch ms after which the probe stops */
  deadline: number;
  signal?: AbortSignal;
  memoryLimit: string;
  /** the statements that failed: one calling error() raised its own message and is not probed */
  statements: string[];
}

/**
 * DuckDB's error about one of the query's archive files as the error naming the object by its archive URI instead of
 * its local cache path; undefined for any other error. DuckDB's reader names the file in most messages; when it
 * does not ("TProtocolException: Invalid data"), the objects are opened one by one to find it, only on this failure
 * path: footers first (cheap), then the pages of at most MAX_PROBED_OBJECTS objects, within the query's remaining
 * time, memory limit and abort signal.
 */
export async function unreadableObjectError(err: unknown, sources: StreamSource[], budget: ProbeBudget): Promise<ArchiveObjectUnreadableError | undefined> {
  const cause = isFluxError(err) ? err.cause : err;
  if (!(cause instanceof Error) || !/^(Invalid Input|Invalid|IO|Corrupt|Serialization|INTERNAL) Error/.test(cause.message)) return undefined;
  const files = sources.flatMap((s) => s.archiveFiles);
  const named = (file: ArchiveFile, message: string) =>
    new ArchiveObjectUnreadableError(file.uri ?? file.path, message.split('\n')[0].split(file.path).join(file.uri ?? file.path), { cause });
  const mentioned = files.find((f) => cause.message.includes(f.path));
  if (mentioned) return named(mentioned, cause.message);
  if (files.length === 0 || !PARQUET_READER_ERROR.test(cause.message) || budget.statements.some((sql) => CALLS_ERROR.test(sql))) return undefined;
  return probeObjects(files.slice(0, MAX_PROBED_OBJECTS), budget).then((found) => (found ? named(found.file, found.message) : undefined));
}

/** The first of `files` DuckDB cannot read, within the budget; undefined if all read or the budget ran out. */
async function probeObjects(files: ArchiveFile[], budget: ProbeBudget): Promise<{ file: ArchiveFile; message: string } | undefined> {
  if (budget.signal?.aborted || Date.now() >= budget.deadline) return undefined;
  const instance = await DuckDBInstance.create(':memory:', {
    threads: '1',
    memory_limit: budget.memoryLimit,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const c = await instance.connect();
  const stop = () => c.interrupt();
  const timer = setTimeout(stop, Math.max(1, budget.deadline - Date.now()));
  budget.signal?.addEventListener('abort', stop);
  const stopped = () => budget.signal?.aborted || Date.now() >= budget.deadline;
  try {
    // parquet_metadata reads the footer only; the hash of every column reads every page.
    for (const check of [(f: string) => `SELECT count(*) FROM parquet_metadata(${f})`, (f: string) => `SELECT count(*), sum(hash(COLUMNS(*))) FROM read_parquet(${f})`]) {
      for (const file of files) {
        const problem = await c.run(check(sqlString(file.path))).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        if (stopped()) return undefined;
        if (problem) return { file, message: problem.message };
      }
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    budget.signal?.removeEventListener('abort', stop);
    c.closeSync();
    instance.closeSync();
  }
}

/** The projection that turns result columns into JSON-ready values inside DuckDB. */
function jsonProjection(columns: ResultColumn[]): string {
  return columns
    .map(({ name, type }) => {
      const id = sqlIdentifier(name);
      if (type === 'BLOB') return `base64(${id}) AS ${id}`;
      // JSON has no Infinity or NaN: such doubles are null in a result line (the pg wire and Parquet keep them).
      if (type === 'DOUBLE' || type === 'FLOAT') return `CASE WHEN isfinite(${id}) THEN ${id} END AS ${id}`;
      if (/^TIMESTAMP/.test(type) || type === 'DATETIME') return `strftime(${id}::TIMESTAMP, '%Y-%m-%dT%H:%M:%S.%gZ') AS ${id}`;
      return id;
    })
    .join(', ');
}

/** The projection that turns result columns into PostgreSQL's text output (`t`/`f`, `\\x` hex, `+00` timestamps). */
function pgTextProjection(columns: ResultColumn[]): string {
  return columns
    .map(({ name, type }) => {
      const id = sqlIdentifier(name);
      if (type === 'BOOLEAN') return `CASE WHEN ${id} THEN 't' WHEN NOT ${id} THEN 'f' END`;
      if (type === 'BLOB') return `'\\x' || lower(hex(${id}))`;
      if (/^TIMESTAMP/.test(type) || type === 'DATETIME') return `strftime(${id}::TIMESTAMP, '%Y-%m-%d %H:%M:%S.%f') || '+00'`;
      if (type === 'DOUBLE' || type === 'FLOAT') {
        return `CASE WHEN isnan(${id}) THEN 'NaN' WHEN isinf(${id}) AND ${id} > 0 THEN 'Infinity' WHEN isinf(${id}) THEN '-Infinity' ELSE ${id}::VARCHAR END`;
      }
      if (/\[\d*\]$|^STRUCT|^MAP|^UNION/.test(type)) return `to_json(${id})::VARCHAR`;
      return `${id}::VARCHAR`;
    })
    .join(', ');
}

class DuckDbResultSet implements ResultSet {
  private closed = false;
  private exported?: Promise<string>;
  /** reads and exports not finished yet (see track) */
  private inFlight = 0;

  constructor(
    private readonly c: DuckDBConnection,
    private readonly dir: string,
    readonly columns: ResultColumn[],
    readonly rowCount: number,
    readonly truncated: boolean,
    private readonly cleanup: (reuse: boolean) => void,
    readonly typeNames?: readonly string[],
  ) {}

  private async track<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw new FluxError('not-found', 'QUERY_RESULT_CLOSED', 'the result was released');
    this.inFlight++;
    try {
      return await work();
    } finally {
      // Closed meanwhile: the instance is released once its last statement ended (closing it under a running
      // statement crashes the process), and not reused (its folder may hold what that statement wrote).
      if (--this.inFlight === 0 && this.closed) this.cleanup(false);
    }
  }

  readJsonLines(offset: number, limit: number): Promise<string[]> {
    return this.track(() => this.jsonLines(offset, limit));
  }

  private async jsonLines(offset: number, limit: number): Promise<string[]> {
    if (this.columns.length === 0) return [];
    // Row ids of the result table are dense (0 .. rowCount-1, in the query's order): a range is a page, without a
    // sort or an OFFSET scan per page.
    const from = Math.max(0, Math.floor(offset));
    const to = from + Math.max(0, Math.floor(limit));
    // The row is read through the subquery's alias, which a result column of the same name would shadow (a column `t`
    // made every line that column's value): the alias is a name no column has.
    const taken = new Set(this.columns.map((col) => col.name.toLowerCase()));
    let row = '__flux_row';
    while (taken.has(row)) row += '_';
    const reader = await this.c.runAndReadAll(
      `SELECT to_json(${row})::VARCHAR FROM (SELECT ${jsonProjection(this.columns)} FROM ${RESULT} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid) AS ${row}`,
    );
    return reader.getRows().map((r) => String(r[0]));
  }

  readTextRows(offset: number, limit: number): Promise<(string | null)[][]> {
    return this.track(() => this.textRows(offset, limit));
  }

  private async textRows(offset: number, limit: number): Promise<(string | null)[][]> {
    if (this.columns.length === 0) return [];
    const from = Math.max(0, Math.floor(offset));
    const to = from + Math.max(0, Math.floor(limit));
    const reader = await this.c.runAndReadAll(`SELECT ${pgTextProjection(this.columns)} FROM ${RESULT} WHERE rowid >= ${from} AND rowid < ${to} ORDER BY rowid`);
    return reader.getRows().map((r) => r.map((v) => (v === null ? null : String(v))));
  }

  exportParquet(): Promise<string> {
    return this.track(() => {
      // Written once, under a name of its own: a reader may open the path after the result was released and the
      // folder reused by another query.
      this.exported ??= (async () => {
        const path = join(this.dir, `result-${randomUUID()}.parquet`);
        await this.c.run(`COPY (SELECT * FROM ${RESULT} ORDER BY rowid) TO ${sqlString(path)} (FORMAT parquet)`);
        return path;
      })();
      return this.exported;
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.inFlight === 0) this.cleanup(true);
  }
}
