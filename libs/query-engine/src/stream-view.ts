import { ARCHIVE_LAYOUTS, ARCHIVE_RECORD_SQL, type ArchiveLayout } from '@flux-capacitor/contracts';
import { sqlIdentifier, sqlString } from './sql-text';
import { partitionByOverlap, type ArchiveFile, type StreamSource } from './stream-source';

/** The columns every stream table has, in order. */
export const STREAM_COLUMNS = [
  { name: 'shard_id', type: 'VARCHAR' },
  { name: 'sequence_number', type: 'VARCHAR' },
  { name: 'sub_sequence_number', type: 'BIGINT' },
  { name: 'partition_key', type: 'VARCHAR' },
  { name: 'arrival_time', type: 'TIMESTAMP' },
  { name: 'data', type: 'BLOB' },
  { name: 'payload', type: 'JSON' },
  { name: 'source', type: 'VARCHAR' },
] as const;

/** The columns every row source of the view starts with; arrival_time (TIMESTAMP, UTC), data, payload and source follow. */
const KEYS = 'shard_id, sequence_number, sub_sequence_number, partition_key';

/** The table holding a stream's live records inside a query's private DuckDB instance. */
export function liveTableName(stream: string): string {
  return `__flux_live_${stream.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

export function liveTableDdl(stream: string): string {
  return `CREATE TABLE ${sqlIdentifier(liveTableName(stream))} (shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`;
}

/**
 * One layout's archive files as rows of the stream table. Layout 1 stores every record in `data` and pays the guard's
 * JSON cast per record for `payload`; layout 2 decided at write time and keeps JSON records' text in the JSON column
 * `data_json`, read as `payload` as is (ARCHIVE_RECORD_SQL; DuckDB's reader only checks it lightly). arrival_time is
 * a TIMESTAMP in layout 1 and a TIMESTAMPTZ in layout 2: both become the UTC TIMESTAMP, whatever the session's TimeZone.
 */
function archiveScan(layout: ArchiveLayout, files: ArchiveFile[]): string {
  const record = ARCHIVE_RECORD_SQL[layout];
  return (
    `SELECT ${KEYS}, ${record.arrivalTime} AS arrival_time, ${record.data} AS data, ${record.payload} AS payload, 'archive' AS source ` +
    `FROM read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}])`
  );
}

/** Files of each layout present, one scan per layout (their columns differ), UNION ALL. */
function archiveScans(files: ArchiveFile[]): string[] {
  return ARCHIVE_LAYOUTS.map((layout) => files.filter((f) => f.layout === layout))
    .filter((group) => group.length > 0)
    .map((group) => archiveScan(group[0].layout, group));
}

/**
 * The view one stream table is: archive objects (plain scan where their ranges are disjoint, de-duplicated on
 * (shard_id, sequence_number, sub_sequence_number) where they overlap, whatever their layouts) UNION ALL the live
 * tail, which starts after each shard's highest archived sequence number and so never repeats an archived record.
 * `data` is each record's bytes, `payload` the data parsed as JSON, NULL when the bytes are not UTF-8 JSON.
 */
export function streamViewSql(source: StreamSource): string {
  const { disjoint, overlapping } = partitionByOverlap(source.archiveFiles);
  const parts: string[] = archiveScans(disjoint);
  if (overlapping.length > 0) {
    const scans = archiveScans(overlapping);
    parts.push(
      `SELECT * FROM (${scans.map((scan) => `(${scan})`).join(' UNION ALL ')}) ` +
        `QUALIFY row_number() OVER (PARTITION BY shard_id, sequence_number, sub_sequence_number ORDER BY arrival_time) = 1`,
    );
  }
  // An empty live tail stays out of the view: a UNION ALL costs DuckDB about a quarter of a large scan's time.
  if (source.live.length > 0 || parts.length === 0) {
    parts.push(
      `SELECT ${KEYS}, arrival_time, data, ${ARCHIVE_RECORD_SQL[1].payload} AS payload, 'live' AS source FROM ${sqlIdentifier(liveTableName(source.name))}`,
    );
  }
  const union = parts.map((p) => `(${p})`).join('\nUNION ALL\n');
  return (
    `CREATE VIEW ${sqlIdentifier(source.name)} AS\n` +
    `SELECT ${KEYS}, arrival_time, data, payload, source\n` +
    `FROM (\n${union}\n) AS records`
  );
}
