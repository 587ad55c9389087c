import { z } from 'zod';

/** What every field column's Parquet name looks like (fieldColumnNames only produces such names). */
export const FIELD_COLUMN_NAME = /^payload__[A-Za-z0-9_]+$/;

/**
 * Field columns (issue 13): beside each record's bytes, a layout-2 object may store, for some JSON paths of its
 * stream's schema, the text `json_extract_string(payload, path)` gives for every record, one Parquet column per
 * path. The object lists them in its key-value metadata under `flux.fields` (JSON array of ArchiveFieldColumn); an
 * object without that key has none. Each value is computed by DuckDB with FIELD_VALUE_SQL from the same JSON text a
 * reader's `payload` is, so reading the column instead of computing it can never change an answer.
 */
export const archiveFieldColumn = z.object({
  /**
   * the JSON object keys from the record's root, e.g. ['address', 'city']; each a field key, since a reader builds
   * the JSONPath from them (a key with '"' or '.' would make every query on the stream fail, not just this column)
   */
  path: z
    .array(z.string().refine(isFieldKey, { message: 'a field key: 1-128 characters, none of " \\ . [ ] * $ or a control character' }))
    .min(1)
    .max(8),
  /** the Parquet column holding the values, as fieldColumnNames names it (never a base column such as shard_id) */
  column: z.string().regex(FIELD_COLUMN_NAME, { message: 'a field column name: payload__ then letters, digits or _' }),
});
export type ArchiveFieldColumn = z.infer<typeof archiveFieldColumn>;

/** The SQL type a field column is exposed with in a stream table (the stored column is always VARCHAR text). */
export type FieldColumnType = 'VARCHAR' | 'BIGINT' | 'DOUBLE' | 'BOOLEAN';

/** A path chosen from a stream's catalog schema to be stored (archiver) or exposed (gateway) as a field column. */
export interface FieldColumnChoice {
  path: string[];
  type: FieldColumnType;
}

/** Keys that can be written in a quoted JSONPath step without escaping (and are unambiguous in a catalog path). */
const UNSAFE_KEY_CHARACTER = /["\\.[\]*$]/;

export function isFieldKey(key: string): boolean {
  if (key.length === 0 || key.length > 128 || UNSAFE_KEY_CHARACTER.test(key)) return false;
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) < 0x20) return false; // control characters
  return true;
}

/** The JSONPath of a key path: `$."address"."city"` (each step quoted, so keys with spaces or digits are exact). */
export function fieldJsonPath(path: readonly string[]): string {
  for (const key of path) if (!isFieldKey(key)) throw new Error(`not a field key: ${JSON.stringify(key)}`);
  return '$' + path.map((key) => `."${key}"`).join('');
}

/**
 * The one SQL expression that defines a field column's value over a JSON expression (`data_json` when writing,
 * `payload` when computing it for an object without the column). A SQL string literal: keys hold no `'`-free
 * guarantee, so quotes are doubled.
 */
export function fieldValueSql(jsonExpr: string, path: readonly string[]): string {
  return `json_extract_string(${jsonExpr}, '${fieldJsonPath(path).replace(/'/g, "''")}')`;
}

/**
 * Parquet column names for key paths: `payload__address__city`, characters other than letters, digits and `_` as
 * `_`, numbered when two paths would collide. Readers never derive the name: they take it from `flux.fields`.
 */
export function fieldColumnNames(paths: readonly (readonly string[])[]): string[] {
  const taken = new Set<string>();
  return paths.map((path) => {
    const base = `payload__${path.map((k) => k.replace(/[^A-Za-z0-9_]/g, '_')).join('__')}`.slice(0, 120);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}_${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** What selectFieldColumns reads of a catalog schema field (CatalogSchemaField satisfies it). */
export interface SchemaFieldLike {
  /** dotted path, `[]` marking array elements */
  path: string;
  types: readonly string[];
  nullable: boolean;
  /** the mean UTF-8 length of its string values (the catalog's CatalogStringLengths); absent: unknown */
  stringLengths?: { meanBytes: number } | null;
}

/**
 * A string path whose values are longer than this on average (UTF-8 bytes) gets no stored field column. A column pays when
 * its values are short or repeat: Parquet dictionary-encodes them (a status, a country, a customer id cost a few
 * bytes a row and a group-by or lookup reads only them instead of parsing every record). Long free text is mostly
 * unique: the dictionary gives up, the column stores the text a second time beside the record (the archiver bench's
 * ~900-byte `note` doubled the archive and tripled the archiver's CPU per MiB), and reading it costs about what
 * reading the record does, so the column saves a query little. 64 bytes keeps ids (a UUID is 36), timestamps,
 * e-mail addresses, names and codes, and leaves out descriptions, messages and encoded blobs.
 */
export const MAX_FIELD_COLUMN_MEAN_BYTES = 64;

/** Whether a field's string values are known to be too long for a field column (unknown lengths: not). */
export function isLongText(field: SchemaFieldLike): boolean {
  const mean = field.stringLengths?.meanBytes;
  return field.types.includes('string') && typeof mean === 'number' && mean > MAX_FIELD_COLUMN_MEAN_BYTES;
}

/** Default bound on field columns per stream (FLUX_ARCHIVER_FIELD_COLUMNS). */
export const DEFAULT_MAX_FIELD_COLUMNS = 32;

export interface SelectFieldColumnsOptions {
  /**
   * Leave out long text (isLongText): what the archiver *stores*. The gateway's *typed* columns keep it: a typed
   * column of a path that no object stores is computed from `payload` at no extra cost, and the table's shape then
   * depends only on the schema version (paths, types, nullability), not on lengths that move with the data.
   */
  skipLongText?: boolean;
}

/**
 * The scalar paths of a stream's catalog schema worth a column, at most `max`: not inside an array, every key a
 * field key, of one scalar type family (strings; integers and numbers; booleans); with `skipLongText`, no string
 * path whose values are long (mean length over MAX_FIELD_COLUMN_MEAN_BYTES; a schema stored before lengths were
 * measured counts as short, as before, until the catalog's next merge measures them); paths present in every JSON
 * record seen (not nullable) first, then shallower paths, then by path. A path of mixed families is exposed as
 * VARCHAR. Deterministic: the same schema gives the same choice.
 */
export function selectFieldColumns(
  fields: readonly SchemaFieldLike[],
  max: number = DEFAULT_MAX_FIELD_COLUMNS,
  options: SelectFieldColumnsOptions = {},
): FieldColumnChoice[] {
  const chosen: (FieldColumnChoice & { nullable: boolean; dotted: string })[] = [];
  for (const f of fields) {
    if (f.path.includes('[]')) continue;
    const path = f.path.split('.');
    if (path.length > 8 || !path.every(isFieldKey)) continue;
    const types = new Set(f.types);
    if (types.size === 0 || types.has('object') || types.has('array')) continue;
    if (options.skipLongText && isLongText(f)) continue;
    const type: FieldColumnType = [...types].every((t) => t === 'integer')
      ? 'BIGINT'
      : [...types].every((t) => t === 'integer' || t === 'number')
        ? 'DOUBLE'
        : [...types].every((t) => t === 'boolean')
          ? 'BOOLEAN'
          : 'VARCHAR';
    chosen.push({ path, type, nullable: f.nullable, dotted: f.path });
  }
  chosen.sort(
    (a, b) =>
      Number(a.nullable) - Number(b.nullable) || a.path.length - b.path.length || (a.dotted < b.dotted ? -1 : a.dotted > b.dotted ? 1 : 0),
  );
  return chosen.slice(0, Math.max(0, max)).map(({ path, type }) => ({ path, type }));
}
