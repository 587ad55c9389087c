/**
 * The archive's row layout: one Parquet row per Kinesis user record (after KPL de-aggregation).
 * The archiver writes these columns and the query gateway reads them; change both together.
 */
export const ARCHIVE_COLUMNS = [
  { name: 'stream', duckdb: 'VARCHAR', description: 'Stream name' },
  { name: 'shard_id', duckdb: 'VARCHAR', description: 'Shard the record was read from' },
  { name: 'sequence_number', duckdb: 'VARCHAR', description: 'Kinesis sequence number (decimal string, up to 128 bits)' },
  { name: 'sub_sequence_number', duckdb: 'BIGINT', description: 'Position inside a KPL aggregate; 0 when not aggregated' },
  { name: 'partition_key', duckdb: 'VARCHAR', description: 'Partition key (of the user record for KPL aggregates)' },
  { name: 'explicit_hash_key', duckdb: 'VARCHAR', description: 'Explicit hash key when the producer set one' },
  { name: 'arrival_time', duckdb: 'TIMESTAMP', description: 'Approximate arrival timestamp, UTC, millisecond precision' },
  { name: 'data', duckdb: 'BLOB', description: 'The record data, byte for byte' },
] as const;

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
