import { CatalogWorker, type CatalogWorkerOptions } from './pg-catalog-worker';
import { BodyReader, PgError, type PgField } from './pg-messages';
import { stripComments } from './pg-sql';

/** The columns of every stream table as PostgreSQL sees them (query-engine's STREAM_COLUMNS). */
export const STREAM_TABLE_COLUMNS: { name: string; pgType: string }[] = [
  { name: 'shard_id', pgType: 'text' },
  { name: 'sequence_number', pgType: 'text' },
  { name: 'sub_sequence_number', pgType: 'bigint' },
  { name: 'partition_key', pgType: 'text' },
  { name: 'arrival_time', pgType: 'timestamp with time zone' },
  { name: 'data', pgType: 'bytea' },
  { name: 'payload', pgType: 'json' },
  { name: 'source', pgType: 'text' },
];

/** A typed field column of a stream table (query-engine's typedColumns), in DuckDB's type names. */
export interface StreamFieldColumn {
  name: string;
  type: string;
}

const PG_TYPES: Record<string, string> = { VARCHAR: 'text', BIGINT: 'bigint', DOUBLE: 'double precision', BOOLEAN: 'boolean' };

/** PostgreSQL's longest identifier in bytes (NAMEDATALEN - 1); a longer one is silently cut to it. */
export const PG_MAX_IDENTIFIER_BYTES = 63;

/**
 * The extra column definitions of a stream table: its typed field columns, after the base ones. A name PostgreSQL
 * would cut (over 63 bytes: two long nested paths would then be one column, and CREATE TABLE fails) or that repeats
 * a column already there is left out: the mirror only describes, the column stays queryable through the gateway.
 */
export function fieldColumnsSql(columns: readonly StreamFieldColumn[]): string {
  const taken = new Set(STREAM_TABLE_COLUMNS.map((c) => c.name));
  const kept: string[] = [];
  for (const c of columns) {
    const bytes = Buffer.byteLength(c.name, 'utf8');
    if (bytes === 0 || bytes > PG_MAX_IDENTIFIER_BYTES || c.name.includes('\0') || taken.has(c.name)) continue;
    taken.add(c.name);
    kept.push(`, ${quoteIdent(c.name)} ${PG_TYPES[c.type] ?? 'text'}`);
  }
  return kept.join('');
}

/** What a catalog statement answered: its columns (absent for a statement without rows), rows and command tag. */
export interface CatalogResult {
  fields?: PgField[];
  rows: (Buffer | null)[][];
  tag: string;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Statements the mirror accepts: reads only (after comments are stripped). */
const READ_STATEMENT = /^[\s(]*(SELECT|WITH|VALUES|TABLE|SHOW)\b/i;

/** Writes inside a read: data-modifying CTEs, SELECT ... INTO. */
const WRITES = /\b(insert|update|delete|merge|into|truncate|copy)\b/i;

/**
 * Functions refused by name: they read files, run SQL given as text (which no check here could see), or change the
 * session. U& identifiers and strings are refused too: their escapes would spell any name past this check.
 */
const UNSAFE =
  /\bu&\s*["']|\b(set_config|session_authorization|role|reset|\w*_to_xml\w*|query_to_\w+|xmlforest|ts_stat|dblink\w*|lo_\w+|pg_read\w*|pg_ls_\w+|pg_stat_file|pg_file\w*|pg_logdir\w*|pg_terminate\w*|pg_cancel\w*|pg_reload\w*|pg_rotate\w*|pg_sleep\w*|pg_promote|pg_switch_wal|pg_create\w*|pg_drop\w*|pg_advisory\w*|pg_notify|pg_backup\w*|pg_import\w*|pg_log\w*|nextval|setval)\b/i;

/** Throws 42501 unless the statement only reads (see READ_STATEMENT, WRITES, UNSAFE). */
export function assertCatalogRead(sql: string): void {
  const bare = stripComments(sql);
  if (!READ_STATEMENT.test(bare) || UNSAFE.test(bare)) throw new PgError('42501', 'only reading the catalog is allowed');
  // keywords only count outside string literals (a comment or a column may well say "update")
  if (WRITES.test(bare.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""'))) throw new PgError('42501', 'only reading the catalog is allowed');
}

export interface PgCatalogOptions {
  /** wall-clock limit of one catalog statement; the worker running it is terminated (default 10 s) */
  timeoutMs?: number;
  /** most rows one catalog statement may return (default 100,000) */
  maxRows?: number;
  /** most bytes one catalog statement may return (default 32 MiB) */
  maxBytes?: number;
  /** most mirrors (one per distinct set of visible streams) kept at once, least recently used closed first (default 4) */
  maxMirrors?: number;
}

/**
 * The answer to what SQL tools ask on connect: a real PostgreSQL (PGlite, PostgreSQL compiled to WebAssembly, in
 * memory, no files of ours) holding an empty table per stream in schema `public`. psql's `\d`, pgJDBC's metadata
 * queries, information_schema, version() and pg_catalog work as on PostgreSQL, with no query rewriting.
 * Each PGlite runs in a worker thread (CatalogWorker) with a wall-clock limit per statement and caps on its answer: a
 * runaway statement costs one worker, never the gateway's event loop.
 * There is one mirror per distinct set of visible streams (a few, least recently used closed first), holding only
 * those streams' tables: a token cannot find the names of streams it lacks anywhere in its mirror.
 * Statements run one at a time per mirror, each in a transaction that is rolled back, as the role `reader` (no
 * superuser: PostgreSQL refuses it the file functions). Only reads are accepted (assertCatalogRead), and functions
 * that run SQL given as text or change the session are refused by name.
 * Stream records are never here; a statement that reads a stream table and the catalog together sees no rows.
 */
export class PgCatalog {
  private readonly maxRows: number;
  private readonly maxMirrors: number;
  private readonly workerOptions: CatalogWorkerOptions;
  /** one mirror per distinct set of visible streams, most recently used last */
  private readonly mirrors = new Map<string, { worker: CatalogWorker; queue: Promise<unknown> }>();

  constructor(
    private readonly listStreams: () => Promise<string[]>,
    options: PgCatalogOptions = {},
    /** a stream table's typed field columns (from the catalog's schema), shown after the base columns */
    private readonly fieldColumns: (stream: string) => Promise<readonly StreamFieldColumn[]> = async () => [],
  ) {
    this.maxRows = options.maxRows ?? 100_000;
    this.maxMirrors = options.maxMirrors ?? 4;
    this.workerOptions = {
      timeoutMs: options.timeoutMs ?? 10_000,
      maxBytes: options.maxBytes ?? 32 * 1024 * 1024,
      maxHeapMb: 256,
      columns: STREAM_TABLE_COLUMNS.map((c) => `${quoteIdent(c.name)} ${c.pgType}`).join(', '),
    };
  }

  /** The catalogued streams (the session routes a statement that reads one of them to the streams). */
  async streamNames(): Promise<Set<string>> {
    return new Set(await this.listStreams());
  }

  /** Starts PGlite (seconds: it compiles WebAssembly) ahead of the first client, for tokens that see every stream. */
  warmUp(): void {
    this.mirror('*').worker.warmUp();
  }

  async close(): Promise<void> {
    const all = [...this.mirrors.values()];
    this.mirrors.clear();
    await Promise.all(all.map((m) => m.worker.close()));
  }

  private mirror(key: string): { worker: CatalogWorker; queue: Promise<unknown> } {
    let m = this.mirrors.get(key);
    if (m) {
      this.mirrors.delete(key);
    } else {
      m = { worker: new CatalogWorker(this.workerOptions), queue: Promise.resolve() };
      for (const [oldest, old] of this.mirrors) {
        if (this.mirrors.size < this.maxMirrors) break;
        this.mirrors.delete(oldest);
        // after its queued statements
        void old.queue.then(() => old.worker.close());
      }
    }
    this.mirrors.set(key, m);
    return m;
  }

  /** Runs one statement as `visible` (the streams the token may read; undefined = all). */
  async run(sql: string, params: (string | null)[], formats: number[], visible: ReadonlySet<string> | undefined, describeOnly = false): Promise<CatalogResult & { paramTypes: number[] }> {
    assertCatalogRead(sql);
    // a mirror only ever holds the tables of the streams its callers may see: nothing else is there to leak
    const names = (await this.listStreams()).filter((s) => !visible || visible.has(s)).sort();
    const streams = await Promise.all(names.map(async (name) => ({ name, columns: fieldColumnsSql(await this.fieldColumns(name)) })));
    const m = this.mirror(visible ? JSON.stringify(names) : '*');
    const next = m.queue.then(() => this.runNow(m.worker, streams, sql, params, formats, describeOnly));
    m.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(worker: CatalogWorker, streams: { name: string; columns: string }[], sql: string, params: (string | null)[], formats: number[], describeOnly: boolean): Promise<CatalogResult & { paramTypes: number[] }> {
    // PGlite stops after one row past the cap (Execute's row limit): an answer over it is never built in full
    const answer = await worker.run(extendedQuery(asFluxDatabase(sql), params, formats, describeOnly, this.maxRows + 1), streams);
    if ('error' in answer) throw new PgError(answer.error.code, answer.error.message);
    const result = parseResponse(answer.raw);
    if (result.rows.length > this.maxRows) throw new PgError('54000', `the catalog answer has more than ${this.maxRows} rows`);
    return result;
  }
}

/** Strings, comments, or a call of current_database()/current_catalog. */
const CURRENT_DATABASE = /'(?:[^']|'')*'|--[^\n]*|\/\*[\s\S]*?\*\/|(?:\bpg_catalog\s*\.\s*)?(?:\bcurrent_database\s*\(\s*\)|\bcurrent_catalog\b)/gi;

/** The statement with current_database() answering `flux` (the database clients connect to), not PGlite's own. */
function asFluxDatabase(sql: string): string {
  return sql.replace(CURRENT_DATABASE, (m) => (m.startsWith("'") || m.startsWith('--') || m.startsWith('/*') ? m : "'flux'::name"));
}

/** Parse + Bind + Describe + Execute + Sync of one statement, with text parameters (OID 0: PostgreSQL infers them). */
function extendedQuery(sql: string, params: (string | null)[], formats: number[], describeOnly: boolean, maxRows: number): Uint8Array {
  const parts: Buffer[] = [];
  const message = (type: string, body: Buffer) => {
    const head = Buffer.alloc(5);
    head.write(type, 0, 'latin1');
    head.writeInt32BE(body.length + 4, 1);
    parts.push(head, body);
  };
  const cstr = (s: string) => Buffer.from(`${s}\0`, 'utf8');
  const i16 = (n: number) => {
    const b = Buffer.alloc(2);
    b.writeInt16BE(n);
    return b;
  };
  const i32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  message('P', Buffer.concat([cstr(''), cstr(sql), i16(0)]));
  if (describeOnly) {
    message('D', Buffer.concat([Buffer.from('S'), cstr('')]));
  } else {
    const values = params.flatMap((p) => (p === null ? [i32(-1)] : [i32(Buffer.byteLength(p)), Buffer.from(p, 'utf8')]));
    message('B', Buffer.concat([cstr(''), cstr(''), i16(0), i16(params.length), ...values, i16(formats.length), ...formats.map(i16)]));
    message('D', Buffer.concat([Buffer.from('P'), cstr('')]));
    message('E', Buffer.concat([cstr(''), i32(maxRows)]));
  }
  message('S', Buffer.alloc(0));
  return Buffer.concat(parts);
}

/** Reads PGlite's answer: RowDescription, DataRows, CommandComplete, or the ErrorResponse rethrown as a PgError. */
function parseResponse(raw: Uint8Array): CatalogResult & { paramTypes: number[] } {
  const buf = Buffer.from(raw);
  const result: CatalogResult & { paramTypes: number[] } = { rows: [], tag: 'SELECT 0', paramTypes: [] };
  let offset = 0;
  while (offset + 5 <= buf.length) {
    const type = String.fromCharCode(buf[offset]);
    const length = buf.readInt32BE(offset + 1);
    const r = new BodyReader(buf.subarray(offset + 5, offset + 1 + length));
    offset += 1 + length;
    if (type === 'T') {
      const n = r.int16();
      result.fields = [];
      for (let i = 0; i < n; i++) {
        const name = r.cstring();
        const tableOid = r.int32();
        const columnId = r.int16();
        result.fields.push({ name, tableOid, columnId, typeOid: r.int32(), typeSize: r.int16(), typeModifier: r.int32(), format: r.int16() });
      }
    } else if (type === 't') {
      const n = r.int16();
      for (let i = 0; i < n; i++) result.paramTypes.push(r.int32());
    } else if (type === 'D') {
      const n = r.int16();
      const row: (Buffer | null)[] = [];
      for (let i = 0; i < n; i++) {
        const len = r.int32();
        row.push(len < 0 ? null : Buffer.from(r.bytes(len)));
      }
      result.rows.push(row);
    } else if (type === 'C') {
      result.tag = r.cstring();
    } else if (type === 'E') {
      const fields: Record<string, string> = {};
      for (;;) {
        const code = r.bytes(1).toString();
        if (code === '\0') break;
        fields[code] = r.cstring();
      }
      throw new PgError(fields.C ?? 'XX000', fields.M ?? 'catalog error', { detail: fields.D, hint: fields.H, position: fields.P ? Number(fields.P) : undefined });
    }
  }
  return result;
}
