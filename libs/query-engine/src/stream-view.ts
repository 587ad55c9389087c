import { ARCHIVE_LAYOUTS, ARCHIVE_RECORD_SQL, fieldValueSql, type ArchiveLayout, type FieldColumnChoice, type FieldColumnType } from '@flux-capacitor/contracts';
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

/** One field column of a stream table's view: the hidden exact text, and the typed public column when the catalog chose it. */
export interface StreamField {
  path: string[];
  /** the hidden VARCHAR column holding `json_extract_string(payload, path)` (only rewritten queries name it) */
  hidden: string;
  /** the public typed column, when the path is in the catalog's choice and its name is free */
  typed?: { name: string; type: FieldColumnType };
}

const BASE_NAMES = new Set(STREAM_COLUMNS.map((c) => c.name));
const HIDDEN_PREFIX = '__flux_f_';

/** The internal view a rewritten query reads: the stream table plus its hidden field text columns. */
export function wideViewName(stream: string): string {
  return `__flux_wide_${stream.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The public name of a typed field column: the key at top level, the dotted path when nested. */
export function typedColumnName(path: readonly string[]): string {
  return path.join('.');
}

/**
 * The field columns of a stream table: the catalog's choice (typed, in its order), then every other path the table's
 * objects store (hidden text only, so a rewrite can still read the stored column), by path. A typed name that
 * collides with a base column, an earlier typed name (DuckDB names are case-insensitive) or the engine's own
 * `__flux_` names stays hidden only.
 */
export function streamFields(source: StreamSource): StreamField[] {
  const fields: StreamField[] = [];
  const seen = new Set<string>();
  const taken = new Set<string>(BASE_NAMES);
  const add = (path: string[], type?: FieldColumnType) => {
    const key = JSON.stringify(path);
    if (seen.has(key)) return;
    seen.add(key);
    const field: StreamField = { path, hidden: `${HIDDEN_PREFIX}${fields.length}` };
    const name = typedColumnName(path);
    if (type && !taken.has(name.toLowerCase()) && !name.toLowerCase().startsWith('__flux_')) {
      taken.add(name.toLowerCase());
      field.typed = { name, type };
    }
    fields.push(field);
  };
  for (const choice of source.fields ?? []) add(choice.path, choice.type);
  const stored = source.archiveFiles.flatMap((f) => (f.layout === 2 ? (f.fields ?? []) : []).map((c) => c.path));
  stored.sort((a, b) => (a.join('\u0000') < b.join('\u0000') ? -1 : a.join('\u0000') > b.join('\u0000') ? 1 : 0));
  for (const path of stored) add(path);
  return fields;
}

/** The typed field columns a stream table shows for a catalog choice (selectFieldColumns), in order. */
export function typedColumns(choices: FieldColumnChoice[]): { name: string; type: FieldColumnType }[] {
  return streamFields({ name: '', archiveFiles: [], live: [], fields: choices }).flatMap((f) => (f.typed ? [f.typed] : []));
}

/**
 * One group of archive files (same layout, same stored field columns) as rows of the wide view. Layout 1 stores every
 * record in `data` and pays the guard's JSON cast per record for `payload`; layout 2 decided at write time and keeps
 * JSON records' text in the JSON column `data_json`, read as `payload` as is (ARCHIVE_RECORD_SQL; DuckDB's reader
 * only checks it lightly). arrival_time is a TIMESTAMP in layout 1 and a TIMESTAMPTZ in layout 2: both become the UTC
 * TIMESTAMP, whatever the session's TimeZone. A field is the stored column where the objects hold it, else computed
 * with the very expression the archiver stores (fieldValueSql), so both give the same text.
 */
function archiveScan(layout: ArchiveLayout, files: ArchiveFile[], fields: StreamField[]): string {
  const record = ARCHIVE_RECORD_SQL[layout];
  const stored = storedColumns(files[0], fields);
  const columns = fields.map((f, i) => {
    const column = stored[i];
    return `${column ? sqlIdentifier(column) : fieldValueSql('payload', f.path)} AS ${f.hidden}`;
  });
  const scan =
    `SELECT ${KEYS}, ${record.arrivalTime} AS arrival_time, ${record.data} AS data, ${record.payload} AS payload, 'archive' AS source` +
    `${stored.map((column) => (column ? `, ${sqlIdentifier(column)}` : '')).join('')} ` +
    `FROM read_parquet([${files.map((f) => sqlString(f.path)).join(', ')}])`;
  // The outer projection computes a missing field from `payload` once it is named; DuckDB drops what no query uses.
  return fields.length === 0 ? scan : `SELECT ${KEYS}, arrival_time, data, payload, source, ${columns.join(', ')} FROM (${scan})`;
}

/** Per view field, the Parquet column an object stores it in (undefined: computed). */
function storedColumns(file: ArchiveFile, fields: StreamField[]): (string | undefined)[] {
  const held = new Map((file.layout === 2 ? (file.fields ?? []) : []).map((c) => [JSON.stringify(c.path), c.column]));
  return fields.map((f) => held.get(JSON.stringify(f.path)));
}

/** Files grouped by layout and stored field columns, one scan per group (their columns differ), UNION ALL. */
function archiveScans(files: ArchiveFile[], fields: StreamField[]): string[] {
  const groups = new Map<string, ArchiveFile[]>();
  for (const layout of ARCHIVE_LAYOUTS) {
    for (const file of files.filter((f) => f.layout === layout)) {
      const key = `${layout}:${JSON.stringify(storedColumns(file, fields))}`;
      groups.set(key, [...(groups.get(key) ?? []), file]);
    }
  }
  return [...groups.values()].map((group) => archiveScan(group[0].layout, group, fields));
}

/**
 * The views one stream table is: archive objects (plain scan where their ranges are disjoint, de-duplicated on
 * (shard_id, sequence_number, sub_sequence_number) where they overlap, whatever their layouts) UNION ALL the live
 * tail, which starts after each shard's highest archived sequence number and so never repeats an archived record.
 * `data` is each record's bytes, `payload` the data parsed as JSON, NULL when the bytes are not UTF-8 JSON. With
 * field columns, the rows form the wide view (base columns, typed columns, hidden text columns) and the stream
 * table is the wide view without the hidden ones; a rewritten query reads the wide view (field-rewrite.ts).
 */
export function streamViewStatements(source: StreamSource, fields: StreamField[] = streamFields(source)): string[] {
  const { disjoint, overlapping } = partitionByOverlap(source.archiveFiles);
  const parts: string[] = archiveScans(disjoint, fields);
  const hidden = fields.map((f) => `, ${f.hidden}`).join('');
  if (overlapping.length > 0) {
    const scans = archiveScans(overlapping, fields);
    parts.push(
      `SELECT * FROM (${scans.map((scan) => `(${scan})`).join(' UNION ALL ')}) ` +
        `QUALIFY row_number() OVER (PARTITION BY shard_id, sequence_number, sub_sequence_number ORDER BY arrival_time) = 1`,
    );
  }
  // An empty live tail stays out of the view: a UNION ALL costs DuckDB about a quarter of a large scan's time.
  if (source.live.length > 0 || parts.length === 0) {
    const live = `SELECT ${KEYS}, arrival_time, data, ${ARCHIVE_RECORD_SQL[1].payload} AS payload, 'live' AS source FROM ${sqlIdentifier(liveTableName(source.name))}`;
    parts.push(fields.length === 0 ? live : `SELECT *${fields.map((f) => `, ${fieldValueSql('payload', f.path)} AS ${f.hidden}`).join('')} FROM (${live})`);
  }
  const union = parts.map((p) => `(${p})`).join('\nUNION ALL\n');
  if (fields.length === 0) {
    return [`CREATE VIEW ${sqlIdentifier(source.name)} AS\nSELECT ${KEYS}, arrival_time, data, payload, source\nFROM (\n${union}\n) AS records`];
  }
  const typedFields = fields.flatMap((f) => (f.typed ? [{ hidden: f.hidden, ...f.typed }] : []));
  const typed = typedFields.map((f) => `, ${f.type === 'VARCHAR' ? f.hidden : `TRY_CAST(${f.hidden} AS ${f.type})`} AS ${sqlIdentifier(f.name)}`).join('');
  const typedNames = typedFields.map((f) => `, ${sqlIdentifier(f.name)}`).join('');
  const wide = wideViewName(source.name);
  return [
    `CREATE VIEW ${sqlIdentifier(wide)} AS\nSELECT ${KEYS}, arrival_time, data, payload, source${typed}${hidden}\nFROM (\n${union}\n) AS records`,
    `CREATE VIEW ${sqlIdentifier(source.name)} AS SELECT ${KEYS}, arrival_time, data, payload, source${typedNames} FROM ${sqlIdentifier(wide)}`,
  ];
}

/** The stream table's view as one SQL text (tools and tests). */
export function streamViewSql(source: StreamSource): string {
  return streamViewStatements(source).join(';\n');
}
