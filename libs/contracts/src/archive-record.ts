/**
 * Object layouts, recorded in each object's Parquet key-value metadata under `flux.layout` (objects without it
 * are layout 1):
 * - 1 (before 0.9): one shard per object, its range in the key (`<shard>-<first>-<last>.parquet`); `arrival_time`
 *   a TIMESTAMP not adjusted to UTC (isAdjustedToUTC=false).
 * - 2: the records of one or more shards of a stream and hour (`part-<id>.parquet`); `arrival_time` an instant
 *   (isAdjustedToUTC=true); each shard's range in `flux.shards` (JSON array of ObjectShardRange).
 * Readers handle both.
 */
export const ARCHIVE_LAYOUT = 2;
export const ARCHIVE_LAYOUTS = [1, 2] as const;
export type ArchiveLayout = (typeof ARCHIVE_LAYOUTS)[number];
/**
 * How an archive object's rows are ordered (FLUX_ARCHIVER_SORT); not part of the layout, readers never rely on it.
 * `sequence`: as read (each shard's records in sequence order); `partition_key`: by partition key, each key's records
 * in the order they were read, so row-group min/max statistics skip the groups that cannot hold a key.
 */
export const ARCHIVE_ROW_ORDERS = ['sequence', 'partition_key'] as const;
export type ArchiveRowOrder = (typeof ARCHIVE_ROW_ORDERS)[number];
/** Parquet key-value metadata keys of layout 2 (`flux.fields`: the object's field columns, see field-columns.ts). */
export const ARCHIVE_KV_METADATA = { layout: 'flux.layout', shards: 'flux.shards', fields: 'flux.fields' } as const;

/**
 * The archive's row layout (ARCHIVE_LAYOUT): one Parquet row per Kinesis user record (after KPL de-aggregation).
 * The archiver writes these columns and the query gateway reads them; change both together.
 */
export const ARCHIVE_COLUMNS = [
  { name: 'stream', duckdb: 'VARCHAR', description: 'Stream name' },
  { name: 'shard_id', duckdb: 'VARCHAR', description: 'Shard the record was read from' },
  { name: 'sequence_number', duckdb: 'VARCHAR', description: 'Kinesis sequence number (decimal string, up to 128 bits)' },
  { name: 'sub_sequence_number', duckdb: 'BIGINT', description: 'Position inside a KPL aggregate; 0 when not aggregated' },
  { name: 'partition_key', duckdb: 'VARCHAR', description: 'Partition key (of the user record for KPL aggregates)' },
  { name: 'explicit_hash_key', duckdb: 'VARCHAR', description: 'Explicit hash key when the producer set one' },
  { name: 'arrival_time', duckdb: 'TIMESTAMPTZ', description: 'Approximate arrival timestamp: an instant (UTC-adjusted), millisecond precision' },
  { name: 'data', duckdb: 'BLOB', description: 'The record data, byte for byte, when it is not UTF-8 JSON (NULL when data_json holds it)' },
  {
    name: 'data_json',
    duckdb: 'JSON',
    description: 'The record data when it is UTF-8 JSON: its text, byte for byte (Parquet JSON logical type; data is NULL then)',
  },
] as const;

/**
 * SQL over one layout's columns that gives each record's exact bytes (`data`, BLOB) and the record parsed as JSON
 * (`payload`, JSON; NULL when the bytes are not UTF-8 JSON). Layout 1 stores every record in `data`, so its payload
 * costs a JSON validation per record at each scan; layout 2 decides once, when the object is written (the same
 * `TRY_CAST(TRY(decode(data)) AS JSON)`), and stores JSON records' text in `data_json`, which DuckDB reads as JSON
 * with only its Parquet reader's light validation (docs/query.md measures both). Byte-exact: `encode(data_json)` is
 * the record's original bytes.
 */
export const ARCHIVE_RECORD_SQL: Record<ArchiveLayout, { data: string; payload: string; arrivalTime: string }> = {
  1: { data: 'data', payload: 'TRY_CAST(TRY(decode(data)) AS JSON)', arrivalTime: 'arrival_time' },
  // The instant as a UTC TIMESTAMP from its microseconds: `::TIMESTAMP` goes through ICU's calendar per row, ten
  // times slower on a time-range scan.
  2: { data: 'coalesce(data, encode(data_json))', payload: 'data_json', arrivalTime: 'make_timestamp(epoch_us(arrival_time))' },
};

export interface ArchiveRecord {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  partitionKey: string;
  explicitHashKey: string | null;
  /** epoch milliseconds, UTC */
  arrivalTime: number;
  data: Uint8Array;
}

/**
 * Orders Kinesis sequence numbers numerically. They are decimal strings too wide for a double, and
 * BigInt comparison is exact.
 */
export function compareSequenceNumbers(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
