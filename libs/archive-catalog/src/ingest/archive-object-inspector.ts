import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBBlobValue, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ArchiveStore } from '@flux-capacitor/archive';
import {
  ARCHIVE_KV_METADATA,
  ARCHIVE_RECORD_SQL,
  archiveFieldColumn,
  objectShardRange,
  type ArchiveFieldColumn,
  type ArchiveLayout,
  type ObjectShardRange,
} from '@flux-capacitor/contracts';
import { z } from 'zod';
import { ArchiveObjectCorruptError } from '../catalog.errors';
import { isParquetFormatError } from './parquet-format-error';
import { SchemaObserver, type ObservedSchema } from '../schema/schema-inference';

/** What the catalog learns by reading an archive object. */
export interface ArchiveObjectFacts {
  recordCount: number;
  /** epoch ms; null for an empty object */
  firstArrivalTime: number | null;
  lastArrivalTime: number | null;
  bytes: number;
  /** schema of the first `sampleRecords` records; null for an empty object */
  schema: ObservedSchema | null;
  /** `flux.layout` of the Parquet key-value metadata; 1 when the object has none (layout 1 wrote none) */
  layout: ArchiveLayout;
  /** the shard ranges `flux.shards` declares, by shard id; null when absent or unreadable */
  declaredShards: ObjectShardRange[] | null;
  /** with `ranges`: what the rows hold, per shard (by shard id): numeric min and max sequence number, row count */
  observedShards?: ObjectShardRange[];
  /** the field columns `flux.fields` lists (layout 2); empty when absent or unusable */
  fields: ArchiveFieldColumn[];
  /** why `flux.fields` was present but not used (not JSON, not a list of field columns, a column not in the file) */
  fieldsProblem?: string;
}

export interface InspectOptions {
  /** also read each shard's range from the rows (a full scan of two columns): catalog rebuild checks the metadata */
  ranges?: boolean;
}

const declaredShardsSchema = z.array(objectShardRange);
const declaredFieldsSchema = z.array(archiveFieldColumn);
const byShard = (a: ObjectShardRange, b: ObjectShardRange) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0);

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Each shard's range in the rows of `from` (a table or a table function), by shard id: numeric first and last sequence
 * number and record count. What the inspector checks an object's `flux.shards` against, and what compaction declares.
 */
export async function shardRangesIn(connection: DuckDBConnection, from: string): Promise<ObjectShardRange[]> {
  // Sequence numbers are decimal strings wider than any DuckDB integer: zero-padded, text order is numeric.
  const rows = await connection.runAndReadAll(
    `SELECT shard_id, min(lpad(sequence_number, 64, '0')), max(lpad(sequence_number, 64, '0')), count(*) FROM ${from} GROUP BY shard_id ORDER BY shard_id`,
  );
  const unpad = (s: string) => s.replace(/^0+(?=\d)/, '');
  return (rows.getRows() as [string, string, string, bigint][]).map(([shardId, lo, hi, n]) => ({
    shardId,
    firstSequenceNumber: unpad(lo),
    lastSequenceNumber: unpad(hi),
    recordCount: Number(n),
  }));
}

/**
 * Reads archive objects with an embedded DuckDB: record count and arrival-time range from the whole Parquet
 * file, and a schema from the first N records. The object is fetched through the ArchiveStore (S3 or file) into
 * a temporary file, read, and removed.
 */
export class ArchiveObjectInspector {
  private constructor(private readonly instance: DuckDBInstance) {}

  /** `memoryLimit`: DuckDB's `memory_limit` (e.g. '256MB'); DuckDB's default when absent. */
  static async create(options: { memoryLimit?: string } = {}): Promise<ArchiveObjectInspector> {
    // One thread: inspection runs beside message handling; external access stays on for read_parquet of local files.
    const config: Record<string, string> = { threads: '1' };
    if (options.memoryLimit) config.memory_limit = options.memoryLimit;
    return new ArchiveObjectInspector(await DuckDBInstance.create(':memory:', config));
  }

  async inspect(store: ArchiveStore, key: string, sampleRecords: number, options: InspectOptions = {}): Promise<ArchiveObjectFacts> {
    const dir = await mkdtemp(join(tmpdir(), 'flux-catalog-'));
    const path = join(dir, 'object.parquet');
    const connection = await this.instance.connect();
    try {
      await store.getToFile(key, path);
      const info = await store.head(key);
      return await this.read(connection, path, info?.size ?? 0, sampleRecords, options).catch((err: unknown) => {
        // The file is local now, but only a Parquet format error is the object's fault: out of memory, a full disk
        // while spilling or an interrupt is this process's, and retrying may succeed.
        const message = err instanceof Error ? err.message : String(err);
        if (!isParquetFormatError(message)) throw err;
        throw new ArchiveObjectCorruptError(store.uri(key), message.split('\n')[0].split(path).join(store.uri(key)), { cause: err });
      });
    } finally {
      connection.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async read(connection: DuckDBConnection, path: string, bytes: number, sampleRecords: number, options: InspectOptions): Promise<ArchiveObjectFacts> {
    const stats = await connection.runAndReadAll(
      `SELECT count(*), min(epoch_ms(arrival_time)), max(epoch_ms(arrival_time)) FROM read_parquet(${sqlString(path)})`,
    );
    const [count, first, last] = stats.getRows()[0] as [bigint, bigint | null, bigint | null];
    const recordCount = Number(count);
    const kv = new Map(
      (await connection.runAndReadAll(`SELECT decode(key), decode(value) FROM parquet_kv_metadata(${sqlString(path)})`)).getRows() as [string, string][],
    );
    const layout: ArchiveLayout = kv.get(ARCHIVE_KV_METADATA.layout) === '2' ? 2 : 1;
    let schema: ObservedSchema | null = null;
    if (recordCount > 0) {
      const observer = new SchemaObserver();
      // each record's bytes: layout 2 keeps JSON records in data_json (data is NULL then)
      const sample = await connection.runAndReadAll(
        `SELECT epoch_ms(arrival_time), ${ARCHIVE_RECORD_SQL[layout].data} AS data FROM read_parquet(${sqlString(path)}) LIMIT ${Math.max(1, Math.floor(sampleRecords))}`,
      );
      for (const [t, data] of sample.getRows() as [bigint, DuckDBBlobValue][]) observer.observe(data.bytes, Number(t));
      schema = observer.result();
    }
    let observedShards: ObjectShardRange[] | undefined;
    if (options.ranges) {
      observedShards = await shardRangesIn(connection, `read_parquet(${sqlString(path)})`);
    }
    const declaredFields = kv.get(ARCHIVE_KV_METADATA.fields);
    const fields =
      layout === 2 && declaredFields !== undefined
        ? parseDeclaredFields(declaredFields, await varcharColumns(connection, path))
        : { fields: [] as ArchiveFieldColumn[] };
    return {
      recordCount,
      firstArrivalTime: first === null ? null : Number(first),
      lastArrivalTime: last === null ? null : Number(last),
      bytes,
      schema,
      layout,
      declaredShards: parseDeclaredShards(kv.get(ARCHIVE_KV_METADATA.shards)),
      observedShards,
      ...fields,
    };
  }

  close(): void {
    this.instance.closeSync();
  }
}

/** `flux.shards` as ranges sorted by shard id, or null when it is missing or not a list of ranges. */
function parseDeclaredShards(json: string | undefined): ObjectShardRange[] | null {
  if (json === undefined) return null;
  try {
    const parsed = declaredShardsSchema.safeParse(JSON.parse(json));
    return parsed.success ? [...parsed.data].sort(byShard) : null;
  } catch {
    return null;
  }
}

/** The VARCHAR columns of a Parquet file (where field columns live). */
async function varcharColumns(connection: DuckDBConnection, path: string): Promise<Set<string>> {
  const rows = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(path)})`)).getRows();
  return new Set(rows.filter((r) => String(r[1]) === 'VARCHAR').map((r) => String(r[0])));
}

/**
 * `flux.fields` as field columns, each one a VARCHAR column of the file; otherwise none and why: a reader told of a
 * column the file lacks would fail every query on the object, one computing the value from the record never does.
 */
function parseDeclaredFields(json: string, columns: Set<string>): { fields: ArchiveFieldColumn[]; fieldsProblem?: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { fields: [], fieldsProblem: 'flux.fields is not JSON' };
  }
  const parsed = declaredFieldsSchema.safeParse(value);
  if (!parsed.success) return { fields: [], fieldsProblem: `flux.fields is not a list of field columns: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  const missing = parsed.data.find((f) => !columns.has(f.column));
  if (missing) return { fields: [], fieldsProblem: `flux.fields names ${missing.column}, which is not a VARCHAR column of the object` };
  if (new Set(parsed.data.map((f) => f.column)).size !== parsed.data.length) return { fields: [], fieldsProblem: 'flux.fields names a column twice' };
  return { fields: parsed.data };
}
