import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DuckDBBlobValue,
  DuckDBInstance,
  DuckDBTimestampValue,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import {
  ARCHIVE_COLUMNS,
  ARCHIVE_KV_METADATA,
  ARCHIVE_LAYOUT,
  ARCHIVE_RECORD_SQL,
  ARCHIVE_ROW_ORDERS,
  fieldColumnNames,
  fieldJsonPath,
  type ArchiveFieldColumn,
  type ArchiveLayout,
  type ArchiveRecord,
  type ArchiveRowOrder,
  type ObjectShardRange,
} from '@flux-capacitor/contracts';
import type { ArchiveStore } from './archive-store';

const APPENDER_FLUSH_ROWS = 8_192;
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** Columns the batch table holds: everything but `data_json`, which `writeTo` derives from `data`. */
const TABLE_COLUMNS = ARCHIVE_COLUMNS.filter((c) => c.name !== 'data_json')
  .map((c) => `${c.name} ${c.duckdb}`)
  .join(', ');
/**
 * The written columns (ARCHIVE_COLUMNS, in order) over the batch table joined with its `json` (the record as JSON,
 * NULL when not UTF-8 JSON): JSON records go to `data_json`, the rest stay in `data`, so each record is stored once
 * and queries read `payload` without the guard's cast (ARCHIVE_RECORD_SQL). The classification runs here, in
 * DuckDB's COPY, not per record in JS.
 */
const WRITE_COLUMNS = ARCHIVE_COLUMNS.map((c) =>
  c.name === 'data' ? 'CASE WHEN json IS NULL THEN data END AS data' : c.name === 'data_json' ? 'json AS data_json' : c.name,
).join(', ');

/**
 * The SELECT that turns rows of `from` (a table or parenthesised query with ARCHIVE_COLUMNS but data_json, every
 * record's bytes in `data`) into the columns of a layout-2 object, for `COPY (...) TO ... (FORMAT parquet)`; then
 * one VARCHAR column per field column, holding what fieldValueSql gives over the same JSON that becomes `data_json`
 * (NULL for a record that is not JSON). The fields come from one json_extract_string call with the list of paths,
 * which parses each record once for all of them (one call per path would parse it once per path); its elements are
 * the single-path calls' values (parquet.spec.ts checks them against fieldValueSql).
 */
export function archiveRowsSql(from: string, fields: readonly ArchiveFieldColumn[] = []): string {
  if (fields.length === 0) return `SELECT ${WRITE_COLUMNS} FROM (SELECT *, ${ARCHIVE_RECORD_SQL[1].payload} AS json FROM ${from})`;
  const paths = fields.map((f) => sqlString(fieldJsonPath(f.path))).join(', ');
  const extra = fields.map((f, i) => `, flux_fields[${i + 1}] AS ${quoteIdent(f.column)}`).join('');
  return (
    `SELECT ${WRITE_COLUMNS}${extra} FROM ` +
    `(SELECT *, json_extract_string(json, [${paths}]) AS flux_fields FROM (SELECT *, ${ARCHIVE_RECORD_SQL[1].payload} AS json FROM ${from}))`
  );
}

/** The row order objects are written in unless told otherwise (FLUX_ARCHIVER_SORT's default). */
export const ARCHIVE_ROW_ORDER: ArchiveRowOrder = 'sequence';

/** Rows per row group for records of `recordBytes` on average (data, partition key and sequence number). */
export function archiveRowGroupRows(recordBytes: number): number {
  // Row groups of about 4 MiB of records: DuckDB's parquet writer holds several copies of a row group while it
  // encodes and compresses it (16 MiB groups cost ~130 MiB of memory, 4 MiB ones ~15 MiB), and its default of
  // 122,880 rows is ~120 MiB of 1 KiB records. 4 MiB groups still prune and scan well. Objects sorted by partition key
  // keep them too: 1 MiB groups made a lookup 15 % faster where the footers were cached, but 2.5x slower where they
  // were not (four times the row groups to read from the footer) and the object larger (docs/archiver.md "Row order").
  return Math.min(122_880, Math.max(1_024, Math.floor((4 * 1024 * 1024) / Math.max(1, recordBytes))));
}

export interface ArchiveCopyOptions {
  /** A DuckDB table with ARCHIVE_COLUMNS but data_json (every record's bytes in `data`), rows in append order. */
  table: string;
  path: string;
  /** Each shard's range, for the `flux.shards` metadata (absent: the layout alone). */
  shards?: ObjectShardRange[];
  fields?: readonly ArchiveFieldColumn[];
  /** Mean bytes per record (data, partition key and sequence number): sets the row-group size (archiveRowGroupRows). */
  recordBytes: number;
}

/**
 * The COPY statement that writes an archive object (layout 2) from the rows of `table`, in the table's order (a plain
 * scan keeps insertion order: DuckDB's preserve_insertion_order, on by default). writeArchiveFile runs it, sorting
 * first when asked to; the archiver's batches and the synthetic archives of tests and benchmarks both go through it,
 * so both are written alike.
 */
export function archiveCopySql(o: ArchiveCopyOptions): string {
  const rows = archiveRowsSql(o.table, o.fields);
  // zstd level 1, not DuckDB's default 3: about a third of the compression CPU (the archiver's largest cost after
  // parsing pages) for archives as small on the benchmark's records (docs/archiver.md).
  return (
    `COPY (${rows}) TO ${sqlString(o.path)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, ` +
    `ROW_GROUP_SIZE ${archiveRowGroupRows(o.recordBytes)}, KV_METADATA {${archiveKvMetadataSql(o.shards, o.fields)}})`
  );
}

/**
 * The least record bytes sorted per statement when an object is written sorted by partition key: a quarter of
 * DuckDB's memory limit where that is more. A sort inside the COPY needed 2-3x the batch table in memory, more than
 * the archiver's DuckDB limit leaves beside the table: a 64 MiB batch of 1 KiB records failed with Out of
 * Memory at default settings. Inserting into a table in key order a slice at a time sorts a slice, and both tables'
 * blocks spill to the temp folder (docs/archiver.md "Row order").
 */
const SORT_SLICE_BYTES = 16 * 1024 * 1024;
const MEMORY_UNITS: Record<string, number> = { bytes: 1, KiB: 2 ** 10, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };

/** DuckDB's memory limit in bytes, from its setting's text ("79.1 MiB"); undefined if it reads otherwise. */
async function memoryLimitBytes(connection: DuckDBConnection): Promise<number | undefined> {
  const text = String((await connection.runAndReadAll(`SELECT current_setting('memory_limit')`)).getRows()[0][0]);
  const m = /^([\d.]+)\s*(bytes|KiB|MiB|GiB|TiB)$/.exec(text.trim());
  return m ? Number(m[1]) * MEMORY_UNITS[m[2]] : undefined;
}

/**
 * Writes an archive object (archiveCopySql) from `o.table` on `connection`, rows in `order` (default
 * ARCHIVE_ROW_ORDER). Sorted by partition key, each key keeps its records' append order (the rowid, the append
 * position, breaks ties): the rows' positions in that order are computed first (a sort of keys and row ids only),
 * then the rows go into a table of their own a slice of positions at a time, and the COPY scans that table.
 */
export async function writeArchiveFile(connection: DuckDBConnection, o: ArchiveCopyOptions & { order?: ArchiveRowOrder }): Promise<void> {
  const order = o.order ?? ARCHIVE_ROW_ORDER;
  if (!ARCHIVE_ROW_ORDERS.includes(order)) throw new Error(`unknown archive row order ${String(order)}`);
  if (order === 'sequence') return void (await connection.run(archiveCopySql(o)));
  // Names of this call's own (another write on the same instance, or a leftover, cannot clash), dropped when done.
  const suffix = randomBytes(4).toString('hex');
  const positions = `${o.table}__positions_${suffix}`;
  const sorted = `${o.table}__sorted_${suffix}`;
  const created: string[] = [];
  const drop = () => connection.run(created.map((t) => `DROP TABLE IF EXISTS ${t}`).join(';\n'));
  try {
    // The sort runs on the table's own columns, before the JSON and field columns are added (archiveRowsSql).
    await connection.run(`CREATE TABLE ${positions} AS SELECT rowid AS r, row_number() OVER (ORDER BY partition_key, rowid) - 1 AS pos FROM ${o.table}`);
    created.push(positions);
    await connection.run(`CREATE TABLE ${sorted} AS SELECT * FROM ${o.table} LIMIT 0`);
    created.push(sorted);
    const rows = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${positions}`)).getRows()[0][0]);
    const sliceBytes = Math.max(SORT_SLICE_BYTES, ((await memoryLimitBytes(connection)) ?? 0) / 4);
    const slice = Math.max(1, Math.floor(sliceBytes / Math.max(1, o.recordBytes)));
    for (let from = 0; from < rows; from += slice) {
      await connection.run(
        `INSERT INTO ${sorted} SELECT t.* FROM ${o.table} AS t JOIN ${positions} AS p ON t.rowid = p.r ` +
          `WHERE p.pos >= ${from} AND p.pos < ${from + slice} ORDER BY p.pos`,
      );
    }
    // Every row once, or no object: a slice that lost or repeated rows must not be written as the archive.
    const copied = Number((await connection.runAndReadAll(`SELECT count(*) FROM ${sorted}`)).getRows()[0][0]);
    if (copied !== rows) throw new Error(`sorting ${o.table} by partition key copied ${copied} of ${rows} rows`);
    await connection.run(archiveCopySql({ ...o, table: sorted }));
  } catch (error) {
    // the write's own error, not a failed clean-up's
    await drop().catch(() => undefined);
    throw error;
  }
  // A table left behind would hold its rows for the instance's life: a failed drop fails the write (it is retried).
  await drop();
}

/** The field columns of key paths (names from fieldColumnNames), as an object lists them in `flux.fields`. */
export function archiveFieldColumns(paths: readonly (readonly string[])[]): ArchiveFieldColumn[] {
  const names = fieldColumnNames(paths);
  return paths.map((path, i) => ({ path: [...path], column: names[i] }));
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface ParquetEngineOptions {
  /** DuckDB worker threads (default 2). */
  threads?: number;
  /** DuckDB memory limit, e.g. '512MB'; buffered rows beyond it spill to `tempDirectory`. */
  memoryLimit?: string;
  tempDirectory?: string;
}

export interface ParquetWriteResult {
  rows: number;
  /** Size of the Parquet file. */
  bytes: number;
}

/**
 * One embedded DuckDB that buffers archive rows and writes them as zstd Parquet. Rows are appended into a
 * temporary table (DuckDB memory, not the JS heap), then `COPY ... TO ... (FORMAT parquet)` writes the file.
 */
export class ParquetEngine {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async create(options: ParquetEngineOptions = {}): Promise<ParquetEngine> {
    const settings: Record<string, string> = { threads: String(options.threads ?? 2) };
    if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
    if (options.tempDirectory) settings.temp_directory = options.tempDirectory;
    // DuckDB's allocator keeps up to 128 MiB of freed memory by default: an archiver that writes an object every few
    // seconds would hold it as resident memory outside its budget. Give it back to the OS promptly instead.
    settings.allocator_flush_threshold = '8MB';
    settings.allocator_bulk_deallocation_flush_threshold = '8MB';
    settings.allocator_background_threads = 'true';
    return new ParquetEngine(await DuckDBInstance.create(':memory:', settings));
  }

  /** A connection of its own to the engine's DuckDB (close it when done). */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** A new, empty batch of rows destined for one Parquet object. */
  async openBatch(): Promise<ParquetBatch> {
    const connection = await this.instance.connect();
    const table = `batch_${randomBytes(6).toString('hex')}`;
    try {
      await connection.run(`CREATE TABLE ${table} (${TABLE_COLUMNS})`);
      const appender = await connection.createAppender(table);
      return new ParquetBatch(connection, table, appender);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
  }

  /** Writes `records` (in the given order) to a Parquet file. */
  async write(records: Iterable<ArchiveRecord>, path: string): Promise<ParquetWriteResult> {
    const batch = await this.openBatch();
    try {
      for (const r of records) batch.append(r);
      return await batch.writeTo(path);
    } finally {
      await batch.discard();
    }
  }

  /** Reads a Parquet file's archive rows back, in file order, each record's data byte for byte (either layout). */
  async read(path: string): Promise<ArchiveRecord[]> {
    const connection = await this.instance.connect();
    try {
      const layout = await layoutOf(connection, path);
      const reader = await connection.runAndReadAll(
        `SELECT stream, shard_id, sequence_number, sub_sequence_number, partition_key, explicit_hash_key,
                epoch_ms(arrival_time) AS arrival_ms, ${ARCHIVE_RECORD_SQL[layout].data} AS data
           FROM read_parquet(${sqlString(path)})`,
      );
      return reader.getRows().map((row) => ({
        stream: row[0] as string,
        shardId: row[1] as string,
        sequenceNumber: row[2] as string,
        subSequenceNumber: Number(row[3] as bigint),
        partitionKey: row[4] as string,
        explicitHashKey: (row[5] as string | null) ?? null,
        arrivalTime: Number(row[6] as bigint),
        data: (row[7] as DuckDBBlobValue).bytes,
      }));
    } finally {
      connection.closeSync();
    }
  }

  /** Column names and DuckDB types of a Parquet file (checks the layout). */
  async describe(path: string): Promise<{ name: string; type: string }[]> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`);
      return reader.getRows().map((row) => ({ name: String(row[0]), type: String(row[1]) }));
    } finally {
      connection.closeSync();
    }
  }

  /** Compression codecs used by a Parquet file's column chunks (from DuckDB's `parquet_metadata`). */
  async codecs(path: string): Promise<string[]> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(
        `SELECT DISTINCT compression FROM parquet_metadata(${sqlString(path)}) ORDER BY 1`,
      );
      return reader.getRows().map((row) => String(row[0]));
    } finally {
      connection.closeSync();
    }
  }

  /** Bytes DuckDB holds in memory now, by its own accounting (`duckdb_memory()`), for diagnostics. */
  async memoryUsage(): Promise<number> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()`);
      return Number(reader.getRows()[0][0] as bigint);
    } finally {
      connection.closeSync();
    }
  }

  /** A Parquet file's key-value metadata (layout 2 records `flux.layout` and `flux.shards` there). */
  async keyValueMetadata(path: string): Promise<Record<string, string>> {
    const connection = await this.instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(path)})`);
      return Object.fromEntries(reader.getRows().map((row) => [String(row[0]), String(row[1])]));
    } finally {
      connection.closeSync();
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}

/** An archive file's layout, from its `flux.layout` key-value metadata (absent: layout 1). */
async function layoutOf(connection: DuckDBConnection, path: string): Promise<ArchiveLayout> {
  const reader = await connection.runAndReadAll(
    `SELECT decode(value) FROM parquet_kv_metadata(${sqlString(path)}) WHERE decode(key) = ${sqlString(ARCHIVE_KV_METADATA.layout)}`,
  );
  const value = reader.getRows()[0]?.[0];
  if (value === undefined) return 1;
  if (value === '2') return 2;
  throw new Error(`${path}: unknown archive layout ${String(value)}`);
}

/**
 * The `KV_METADATA {...}` option value of a layout-2 object holding `shards` (the layout alone when not given) and
 * `fields` (no `flux.fields` key when there are none).
 */
export function archiveKvMetadataSql(shards: ObjectShardRange[] | undefined, fields: readonly ArchiveFieldColumn[] = []): string {
  const entries: [string, string][] = [[ARCHIVE_KV_METADATA.layout, String(ARCHIVE_LAYOUT)]];
  if (shards) entries.push([ARCHIVE_KV_METADATA.shards, JSON.stringify(shards)]);
  if (fields.length > 0) entries.push([ARCHIVE_KV_METADATA.fields, JSON.stringify(fields.map(({ path, column }) => ({ path, column })))]);
  return entries.map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(', ');
}

/**
 * Rows of one archive object, held in DuckDB until `writeTo`: tests, benchmarks and synthetic archives (the archiver
 * spools pages instead: PageSpool). Not safe for concurrent use.
 */
export class ParquetBatch {
  private rows = 0;
  private dataBytes = 0;
  private closed = false;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly table: string,
    private readonly appender: DuckDBAppender,
  ) {}

  get rowCount(): number {
    return this.rows;
  }

  /** Sum of the records' data and key sizes: what the buffering size hint is measured against. */
  get size(): number {
    return this.dataBytes;
  }

  /**
   * Appends one row: 9 N-API calls into DuckDB, which are most of its cost (~3 µs per row; filling DuckDB data
   * chunks through @duckdb/node-api's vectors measured no cheaper, as each string still costs one call).
   * `arrival_time` goes in through appendTimestamp, one direct call with the instant's microseconds, rather than
   * appendTimestampTZ, which builds a DuckDB value object per row (~20 % of the append); DuckDB stores TIMESTAMP and
   * TIMESTAMPTZ as the same UTC microseconds, so the instant is unchanged whatever the session TimeZone.
   */
  append(r: ArchiveRecord): void {
    const a = this.appender;
    a.appendVarchar(r.stream);
    a.appendVarchar(r.shardId);
    a.appendVarchar(r.sequenceNumber);
    a.appendBigInt(r.subSequenceNumber === 0 ? 0n : BigInt(r.subSequenceNumber));
    a.appendVarchar(r.partitionKey);
    if (r.explicitHashKey === null || r.explicitHashKey === undefined) a.appendNull();
    else a.appendVarchar(r.explicitHashKey);
    // Epoch milliseconds times 1000 stay an exact double (below 2^53) until the year 2255.
    a.appendTimestamp(new DuckDBTimestampValue(BigInt(r.arrivalTime * 1000)));
    a.appendBlob(r.data);
    a.endRow();
    this.rows += 1;
    // The appender keeps rows in a collection of its own until flushed (about 200,000 by default): a second copy of
    // the buffer. Flushing every few thousand rows keeps memory at about the table's size.
    if (this.rows % APPENDER_FLUSH_ROWS === 0) a.flushSync();
    this.dataBytes += r.data.byteLength + r.partitionKey.length + r.sequenceNumber.length;
  }

  /**
   * Writes the rows as one archive object at `path` (overwriting it): writeArchiveFile over the batch table, rows in
   * `order` (default ARCHIVE_ROW_ORDER), `shards` and `fields` in the key-value metadata.
   */
  async writeTo(
    path: string,
    shards?: ObjectShardRange[],
    fields: readonly ArchiveFieldColumn[] = [],
    order: ArchiveRowOrder = ARCHIVE_ROW_ORDER,
  ): Promise<ParquetWriteResult> {
    this.appender.flushSync();
    await writeArchiveFile(this.connection, { table: this.table, path, shards, fields, order, recordBytes: this.dataBytes / Math.max(1, this.rows) });
    const { size } = await stat(path);
    return { rows: this.rows, bytes: size };
  }

  /** Frees the rows. Always call it, written or not. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.closeSync();
      await this.connection.run(`DROP TABLE IF EXISTS ${this.table}`);
    } finally {
      this.connection.closeSync();
    }
  }
}

/** Downloads an archive object and reads its rows (tests, the catalog's checks). */
export async function readArchiveObject(store: ArchiveStore, key: string, engine?: ParquetEngine): Promise<ArchiveRecord[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-read-'));
  const own = engine ? undefined : await ParquetEngine.create({ threads: 1 });
  try {
    const path = join(dir, 'object.parquet');
    await store.getToFile(key, path);
    return await (engine ?? own!).read(path);
  } finally {
    own?.close();
    await rm(dir, { recursive: true, force: true });
  }
}
