import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ArchiveFieldColumn, ArchiveRowOrder, ObjectShardRange } from '@flux-capacitor/contracts';
import { ARCHIVE_ROW_ORDER, writeArchiveFile, type ParquetEngine, type ParquetWriteResult } from './parquet';

/**
 * A Kinesis record as GetRecords gives it (data base64, arrival in epoch seconds), plus what KPL de-aggregation
 * adds: a user record's position in its aggregate and its explicit hash key.
 */
export interface SpoolRecord {
  SequenceNumber: string;
  SubSequenceNumber?: number;
  ApproximateArrivalTimestamp: number;
  /** base64 */
  Data: string;
  PartitionKey: string;
  ExplicitHashKey?: string | null;
}

interface SpoolFile {
  path: string;
  shardId: string;
  rows: number;
  bytes: number;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** A spool file's columns: the fields of a record's JSON object. */
const RECORD_COLUMNS =
  "{SequenceNumber: 'VARCHAR', SubSequenceNumber: 'BIGINT', ApproximateArrivalTimestamp: 'DOUBLE', Data: 'VARCHAR', PartitionKey: 'VARCHAR', ExplicitHashKey: 'VARCHAR'}";

/** Bytes a base64 string decodes to. */
export function base64Bytes(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

/**
 * The rows of one future archive object, kept as the GetRecords pages they came in: one file per page (or part of a
 * page) in a folder of its own, holding the records' JSON objects one after another, as the response body has them
 * when it can (wireRecordsText). `writeTo` has DuckDB parse the files, decode the base64 and write the object in one
 * statement, so no record is decoded in JavaScript or copied into a table first: that was most of the archiver's CPU
 * beside the COPY (docs/archiver.md "Reading pages"). Rows are in the order they were added. Not safe for concurrent
 * writeTo/discard.
 */
export class PageSpool {
  private readonly files: SpoolFile[] = [];
  private readonly writes: Promise<void>[] = [];
  private rows = 0;
  private bytes = 0;
  private seq = 0;
  /** The largest file: DuckDB's JSON reader must be told (its buffer is twice this, so no larger than needed). */
  private largest = 0;
  private closed = false;

  private constructor(
    private readonly engine: ParquetEngine,
    private readonly dir: string,
    readonly stream: string,
  ) {}

  /** A new, empty spool in a new folder under `parent`. */
  static async open(engine: ParquetEngine, parent: string, stream: string): Promise<PageSpool> {
    return new PageSpool(engine, await mkdtemp(join(parent, 'spool-')), stream);
  }

  get rowCount(): number {
    return this.rows;
  }

  /** Sum of the records' data, partition key and sequence number sizes (as ParquetBatch.size). */
  get size(): number {
    return this.bytes;
  }

  /**
   * Adds records of one shard, in sequence order. `text`: exactly `records` as JSON objects one after another,
   * whitespace between (wireRecordsText), written as it is; otherwise each record is written as JSON, one per line.
   * The file is written in the background: `writeTo` waits for it (and fails if it failed). Returns when the file is
   * written or failed (never rejects): the caller may then let go of `text`. `size`: the records' size (as `size`
   * counts it) when the caller has it, so their data is not read again.
   */
  add(shardId: string, records: readonly SpoolRecord[], text?: Buffer, size?: number): Promise<void> {
    if (this.closed) throw new Error('page spool is discarded');
    if (records.length === 0) return Promise.resolve();
    let bytes = size ?? 0;
    if (size === undefined) for (const r of records) bytes += base64Bytes(r.Data) + r.PartitionKey.length + r.SequenceNumber.length;
    // The shard in the file's name (hex: any shard id is a safe file name then), read back by the SQL (rowsSql).
    const path = join(this.dir, `${String(this.seq++).padStart(9, '0')}-${Buffer.from(shardId).toString('hex')}.json`);
    this.files.push({ path, shardId, rows: records.length, bytes });
    this.rows += records.length;
    this.bytes += bytes;
    const json = text ?? Buffer.from(records.map((r) => JSON.stringify(r)).join('\n'));
    this.largest = Math.max(this.largest, json.byteLength);
    const write = writeFile(path, json);
    this.writes.push(write);
    return write.catch(() => undefined); // the failure is writeTo's to report
  }

  /** Forgets one shard's rows (its lease was lost before they were written). Returns the rows dropped. */
  deleteShard(shardId: string): number {
    let dropped = 0;
    for (let i = this.files.length - 1; i >= 0; i--) {
      if (this.files[i].shardId !== shardId) continue;
      dropped += this.files[i].rows;
      this.bytes -= this.files[i].bytes;
      this.files.splice(i, 1);
    }
    this.rows -= dropped;
    return dropped;
  }

  /**
   * The SELECT of the spool's rows with the batch table's columns (ParquetBatch: ARCHIVE_COLUMNS but data_json),
   * in file order and each file's record order (DuckDB keeps a scan's order: preserve_insertion_order).
   */
  private rowsSql(): string {
    const files = this.files.map((f) => sqlString(f.path)).join(', ');
    return (
      `SELECT ${sqlString(this.stream)} AS stream, decode(unhex(regexp_extract(r.filename, '-([0-9a-f]*)\\.json$', 1))) AS shard_id, ` +
      `r.SequenceNumber AS sequence_number, coalesce(r.SubSequenceNumber, 0) AS sub_sequence_number, r.PartitionKey AS partition_key, ` +
      `r.ExplicitHashKey AS explicit_hash_key, ` +
      // The SDK's rounding (epoch seconds to whole milliseconds), as an instant: independent of the session TimeZone.
      `make_timestamptz(round(r.ApproximateArrivalTimestamp * 1000)::BIGINT * 1000) AS arrival_time, from_base64(r.Data) AS data ` +
      // 'unstructured': any whitespace between objects, an object over several lines (a response pretty-printed)
      `FROM read_json([${files}], columns=${RECORD_COLUMNS}, format='unstructured', filename=true, maximum_object_size=${Math.max(1024 * 1024, this.largest + 1)}) AS r`
    );
  }

  /**
   * Writes the rows as one archive object at `path` (overwriting it), as ParquetBatch.writeTo does; every row once,
   * or no object.
   */
  async writeTo(
    path: string,
    shards?: ObjectShardRange[],
    fields: readonly ArchiveFieldColumn[] = [],
    order: ArchiveRowOrder = ARCHIVE_ROW_ORDER,
  ): Promise<ParquetWriteResult> {
    if (this.rows === 0) throw new Error('page spool is empty');
    await Promise.all(this.writes);
    const connection = await this.engine.connect();
    const recordBytes = this.bytes / Math.max(1, this.rows);
    try {
      if (order === 'sequence') {
        await writeArchiveFile(connection, { table: `(${this.rowsSql()})`, path, shards, fields, order, recordBytes });
      } else {
        // A sort needs row ids: the rows go into a table first (writeArchiveFile then sorts it in slices).
        const table = `spool_${Math.random().toString(36).slice(2, 10)}`;
        await connection.run(`CREATE TABLE ${table} AS ${this.rowsSql()}`);
        try {
          await writeArchiveFile(connection, { table, path, shards, fields, order, recordBytes });
        } finally {
          await connection.run(`DROP TABLE IF EXISTS ${table}`);
        }
      }
      const written = await countRows(connection, path);
      if (written !== this.rows) throw new Error(`archive object ${path} holds ${written} rows, ${this.rows} were spooled`);
    } finally {
      connection.closeSync();
    }
    const { size } = await stat(path);
    return { rows: this.rows, bytes: size };
  }

  /** Deletes the files. Always call it, written or not. */
  async discard(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.writes);
    await rm(this.dir, { recursive: true, force: true });
  }
}

async function countRows(connection: DuckDBConnection, path: string): Promise<number> {
  const reader = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet(${sqlString(path)})`);
  return Number(reader.getRows()[0][0]);
}
