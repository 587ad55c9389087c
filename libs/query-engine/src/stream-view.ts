import { ARCHIVE_LAYOUTS, ARCHIVE_RECORD_SQL, fieldValueSql, type ArchiveLayout, type FieldColumnChoice, type FieldColumnType } from '@flux-capacitor/contracts';
import { createHash } from 'node:crypto';
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

/**
 * A stream's internal name stem: readable, plus a short hash of the exact name, so streams that differ only in
 * punctuation (orders-eu, orders_eu) never share an internal table.
 */
function internalStem(stream: string): string {
  return `${stream.replace(/[^A-Za-z0-9_]/g, '_')}_${createHash('sha256').update(stream).digest('hex').slice(0, 8)}`;
}

/** The table holding a stream's live records inside a query's private DuckDB instance. */
export function liveTableName(stream: string): string {
  return `__flux_live_${internalStem(stream)}`;
}

export function liveTableDdl(stream: string): string {
  return `CREATE TABLE ${sqlIdentifier(liveTableName(stream))} (shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`;
}

/** One field column of a stream table's view: the hidden exact text, and the typed public column when the catalog chose it. */
export interface StreamField {
  path: string[];
  /** the hidden VARCHAR column holding `json_extract_string(payload, path)` (only rewritten queries name it) */
  hidden: string;
  /**
   * the typed virtual column (`payload.<dotted path>`), when the path is in the catalog's choice: a column of the
   * wide view only, which a rewritten query reads (the stream table itself keeps its base columns)
   */
  typed?: { name: string; type: FieldColumnType };
}

const BASE_NAMES = new Set(STREAM_COLUMNS.map((c) => c.name));
const HIDDEN_PREFIX = '__flux_f_';

/** The internal view a rewritten query reads: the stream table plus its hidden field text columns. */
export function wideViewName(stream: string): string {
  return `__flux_wide_${internalStem(stream)}`;
}

/** At most this many field columns per stream table (the catalog's choice first, then the most stored paths). */
export const MAX_STREAM_FIELDS = 64;

/** The prefix of every typed (virtual) field column's name. */
export const TYPED_PREFIX = 'payload.';

/**
 * The name of a typed field column: `payload.` and the dotted path, one identifier (`"payload.address.city"`), so it
 * never equals a base column, a user's alias or an unquoted name.
 */
export function typedColumnName(path: readonly string[]): string {
  return `${TYPED_PREFIX}${path.join('.')}`;
}

/**
 * The field columns of a stream table: the catalog's choice (typed, in its order), then every other path the table's
 * objects store (hidden text only, so a rewrite can still read the stored column), by path. A typed name that
 * collides with an earlier typed name (DuckDB names are case-insensitive) stays hidden only.
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
    if (type && !taken.has(name.toLowerCase())) {
      taken.add(name.toLowerCase());
      field.typed = { name, type };
    }
    fields.push(field);
  };
  for (const choice of source.fields ?? []) add(choice.path, choice.type);
  // Other stored paths, the most widely stored first (then by path), up to MAX_STREAM_FIELDS in all: a path past
  // it is computed from payload where the query extracts it.
  const holders = new Map<string, number>();
  for (const f of source.archiveFiles) for (const c of f.layout === 2 ? (f.fields ?? []) : []) holders.set(JSON.stringify(c.path), (holders.get(JSON.stringify(c.path)) ?? 0) + 1);
  const stored = [...holders].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([path]) => JSON.parse(path) as string[]);
  for (const path of stored) if (fields.length < MAX_STREAM_FIELDS) add(path);
  return fields;
}

/**
 * The source with only the field columns `sql` may use: those whose every key occurs in its text (any case). The
 * rewrite only reads a field whose keys the statement spells out, so the others would only widen the view (more
 * scans, more columns); a field left out is at worst computed from payload, never a different answer.
 */
export function fieldsNamedIn(source: StreamSource, sql: string): StreamSource {
  const text = sql.toLowerCase();
  const named = (path: readonly string[]) => path.every((k) => text.includes(k.toLowerCase()));
  return {
    ...source,
    fields: source.fields?.filter((f) => named(f.path)),
    archiveFiles: source.archiveFiles.map((f) => (f.fields ? { ...f, fields: f.fields.filter((c) => named(c.path)) } : f)),
  };
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
function archiveScan(layout: ArchiveLayout, files: ArchiveFile[], fields: StreamField[], stored: (string | undefined)[]): string {
  const record = ARCHIVE_RECORD_SQL[layout];
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

/** At most this many scans per set of objects: objects storing a rarer set of field columns compute them all. */
export const MAX_FIELD_SET_GROUPS = 16;

/**
 * Files grouped by layout and stored field columns, one scan per group (their columns differ), UNION ALL. Past
 * MAX_FIELD_SET_GROUPS sets, the objects of the rarer sets are read as if they stored none (fields computed from
 * payload, same text), so a stream whose schema changed often still makes a bounded view.
 */
function archiveScans(files: ArchiveFile[], fields: StreamField[]): string[] {
  const keyed = files.map((file) => ({ file, stored: storedColumns(file, fields) }));
  const counts = new Map<string, number>();
  for (const k of keyed) if (k.stored.some((c) => c)) counts.set(JSON.stringify(k.stored), (counts.get(JSON.stringify(k.stored)) ?? 0) + 1);
  const kept = new Set([...counts].sort((a, b) => b[1] - a[1]).slice(0, MAX_FIELD_SET_GROUPS).map(([key]) => key));
  const groups = new Map<string, { layout: ArchiveLayout; stored: (string | undefined)[]; files: ArchiveFile[] }>();
  for (const layout of ARCHIVE_LAYOUTS) {
    for (const k of keyed.filter((x) => x.file.layout === layout)) {
      const stored = kept.has(JSON.stringify(k.stored)) ? k.stored : fields.map(() => undefined);
      const key = `${layout}:${JSON.stringify(stored)}`;
      const group = groups.get(key);
      if (group) group.files.push(k.file);
      else groups.set(key, { layout, stored, files: [k.file] });
    }
  }
  return [...groups.values()].map((g) => archiveScan(g.layout, g.files, fields, g.stored));
}

/**
 * The views one stream table is: archive objects (plain scan where their ranges are disjoint, de-duplicated on
 * (shard_id, sequence_number, sub_sequence_number) where they overlap, whatever their layouts) UNION ALL the live
 * tail, which starts after each shard's highest archived sequence number and so never repeats an archived record.
 * `data` is each record's bytes, `payload` the data parsed as JSON, NULL when the bytes are not UTF-8 JSON. With
 * field columns, the rows form the wide view (base columns, typed columns, hidden text columns) and the stream
 * table is the wide view's base columns only (typed columns are virtual: a rewritten query reads them, and the
 * hidden ones, from the wide view; field-rewrite.ts).
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
  const wide = wideViewName(source.name);
  return [
    `CREATE VIEW ${sqlIdentifier(wide)} AS\nSELECT ${KEYS}, arrival_time, data, payload, source${typed}${hidden}\nFROM (\n${union}\n) AS records`,
    `CREATE VIEW ${sqlIdentifier(source.name)} AS SELECT ${KEYS}, arrival_time, data, payload, source FROM ${sqlIdentifier(wide)}`,
  ];
}

/** The stream table's view as one SQL text (tools and tests). */
export function streamViewSql(source: StreamSource): string {
  return streamViewStatements(source).join(';\n');
}
