import { ARCHIVE_COLUMNS } from '@flux-capacitor/contracts';
import type { StreamSchema } from '../catalog.types';

/** What a metastore needs to describe one stream's archive as a table. */
export interface StreamTable {
  stream: string;
  /** metastore-safe table name derived from the stream name */
  tableName: string;
  /** URI of the stream's folder in the archive (parent of its dt= partitions) */
  location: string;
  /** latest inferred schema; null before inference */
  schema: StreamSchema | null;
}

export interface TablePartition {
  dt: string;
  hour: number;
  location: string;
}

/** A metastore kept in sync with the catalog (Hive, Glue, Drill views). Every call is idempotent. */
export interface MetastoreSync {
  readonly name: string;
  /** Creates the stream's table (or view) if missing; re-creates views when the schema changed. */
  ensureTable(table: StreamTable): Promise<void>;
  /** Registers partitions; partitions that already exist are not an error. */
  addPartitions(table: StreamTable, partitions: TablePartition[]): Promise<void>;
  close?(): Promise<void>;
}

/** Lower-case letters, digits and underscores, not starting with a digit: valid in Hive, Glue and Drill. */
export function tableNameOf(stream: string): string {
  const name = stream.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `s_${name}` : name;
}

const COMPACTED_LOCATION = /\/_compacted\/dt=[^/]+\/hour=[^/]+\/[^/]+\/?$/;

/**
 * The stream folder a partition location lives in (`.../<stream>/dt=YYYY-MM-DD/hour=HH` -> `.../<stream>`; a
 * compacted hour's `.../<stream>/_compacted/dt=.../hour=.../<generation>` too).
 */
export function streamLocationOf(partitionLocation: string): string {
  return COMPACTED_LOCATION.test(partitionLocation) ? partitionLocation.replace(COMPACTED_LOCATION, '') : partitionLocation.replace(/\/dt=[^/]+\/hour=[^/]+\/?$/, '');
}

/** Whether a partition location is a compaction's folder (the partition's location moved there). */
export const isCompactedLocation = (location: string) => COMPACTED_LOCATION.test(location);

export const hourValue = (hour: number) => String(hour).padStart(2, '0');

const HIVE_TYPE_OF_DUCKDB: Record<(typeof ARCHIVE_COLUMNS)[number]['duckdb'], string> = {
  VARCHAR: 'string',
  BIGINT: 'bigint',
  TIMESTAMPTZ: 'timestamp',
  BLOB: 'binary',
  // layout 2's data_json: Parquet's JSON logical type annotates UTF-8 text
  JSON: 'string',
};

/**
 * The archive's Parquet columns as Hive types (Glue uses the same type names), derived from the row layout (layout 2;
 * layout-1 objects lack data_json, which these engines read as NULL). A record's bytes are
 * `coalesce(data, CAST(data_json AS varbinary))`: layout 2 keeps JSON records in data_json only.
 */
export const HIVE_ARCHIVE_COLUMNS: { name: string; type: string; comment: string }[] = ARCHIVE_COLUMNS.map((c) => ({
  name: c.name,
  type: HIVE_TYPE_OF_DUCKDB[c.duckdb],
  comment: c.description,
}));

export const HIVE_PARTITION_KEYS = [
  { name: 'dt', type: 'string', comment: 'Arrival date (UTC), YYYY-MM-DD' },
  { name: 'hour', type: 'string', comment: 'Arrival hour (UTC), 00-23' },
];

export const PARQUET_FORMAT = {
  inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  serde: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe',
};
