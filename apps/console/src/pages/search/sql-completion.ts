import type { Completion, CompletionSource } from '@codemirror/autocomplete';
import type { SQLNamespace } from '@codemirror/lang-sql';
import { selectFieldColumns } from '@flux-capacitor/contracts';
import type { SchemaField } from '../../api/catalog-api';

/** The columns every stream table has (docs/query.md, "The stream table"). */
export const STREAM_COLUMNS: { name: string; type: string }[] = [
  { name: 'shard_id', type: 'VARCHAR' },
  { name: 'sequence_number', type: 'VARCHAR' },
  { name: 'sub_sequence_number', type: 'BIGINT' },
  { name: 'partition_key', type: 'VARCHAR' },
  { name: 'arrival_time', type: 'TIMESTAMP (UTC)' },
  { name: 'data', type: 'BLOB' },
  { name: 'payload', type: 'JSON' },
  { name: 'source', type: 'VARCHAR' },
];

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** DuckDB's keywords other than the unreserved ones (`duckdb_keywords()`, DuckDB 1.5): as a column name they need quotes. */
const SQL_KEYWORDS = new Set(
  (
    'all analyse analyze and anti any array as asc asof asymmetric at authorization between bigint binary bit ' +
    'boolean both by case cast char character check coalesce collate collation column columns concurrently ' +
    'constraint create cross dec decimal default deferrable desc describe distinct do else end except exists ' +
    'extract false fetch float for foreign freeze from full generated glob group grouping grouping_id having ' +
    'ilike in initially inner inout int integer intersect interval into is isnull join lambda lateral leading ' +
    'left like limit map national natural nchar none not notnull null nullif numeric offset on only or order out ' +
    'outer overlaps overlay pivot pivot_longer pivot_wider placing position positional precision primary qualify ' +
    'real references returning right row select semi setof show similar smallint some struct substring summarize ' +
    'symmetric table tablesample then time timestamp to trailing treat trim true try_cast union unique unpack ' +
    'unpivot using values varchar variadic verbose when where window with xmlattributes xmlconcat xmlelement ' +
    'xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable '
  )
    .trim()
    .split(' '),
);

/** A column name as SQL: bare when it is a plain lower-case identifier and no keyword, otherwise double-quoted. */
export function sqlColumnName(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !SQL_KEYWORDS.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * A catalog field path as a DuckDB JSON expression: `customer` -> `payload->>'customer'`, `address.city` ->
 * `payload->'address'->>'city'` (text at the leaf). Paths through arrays (`items[].sku`) stop at the array.
 */
export function jsonPathExpression(path: string): string {
  const upToArray = path.split('[]')[0];
  const segments = upToArray.split('.').filter(Boolean);
  if (segments.length === 0) return 'payload';
  const isArray = upToArray !== path;
  return segments.map((seg, i) => (i === segments.length - 1 && !isArray ? `->>${sqlString(seg)}` : `->${sqlString(seg)}`)).reduce((expr, op) => expr + op, 'payload');
}

/**
 * The typed field columns a stream table shows (docs/query.md, "Field columns"): the gateway's choice from the
 * stream's catalog schema, named `payload.` and the path (`payload.customer`, `payload.address.city`, as the query
 * engine's typedColumnName), so no JSON key can take over another name; DuckDB names are case-insensitive, so of two
 * paths differing only in case the first is shown.
 */
export function fieldColumns(fields: SchemaField[]): { name: string; type: string }[] {
  const taken = new Set(STREAM_COLUMNS.map((c) => c.name));
  return selectFieldColumns(fields).flatMap((choice) => {
    const name = `payload.${choice.path.join('.')}`;
    if (taken.has(name.toLowerCase())) return [];
    taken.add(name.toLowerCase());
    return [{ name, type: choice.type }];
  });
}

/** lang-sql's schema: each stream a table (quoted, as streams are spelled) with the stream columns and its typed field columns. */
export function sqlNamespace(streams: string[], schemas: StreamFields[] = []): SQLNamespace {
  const base: Completion[] = STREAM_COLUMNS.map((c) => ({ label: c.name, type: 'property', detail: c.type }));
  const typed = new Map(schemas.map((s) => [s.stream, fieldColumns(s.fields)]));
  return Object.fromEntries(
    streams.map((s) => [
      s,
      [
        ...base,
        ...(typed.get(s) ?? []).map((c) => ({ label: sqlColumnName(c.name), type: 'property', detail: `${c.type} (field)` })),
      ],
    ]),
  );
}

export interface StreamFields {
  stream: string;
  fields: SchemaField[];
}

/**
 * Completion of JSON paths inside `payload` from the catalog's inferred schemas: typing `payload` (or `payload->`)
 * offers `payload->>'customer'` etc., one entry per field and stream.
 */
export function jsonPathCompletion(schemas: () => StreamFields[]): CompletionSource {
  return (context) => {
    const match = context.matchBefore(/\bpayload[-\w>'$]*$/);
    if (!match) return null;
    const seen = new Set<string>();
    const options: Completion[] = [];
    for (const { stream, fields } of schemas()) {
      for (const field of fields) {
        const label = jsonPathExpression(field.path);
        if (seen.has(label)) continue;
        seen.add(label);
        options.push({ label, type: 'variable', detail: `${field.types.join(' | ')}${field.nullable ? ', nullable' : ''}`, info: `${field.path} in ${stream}`, boost: -field.path.split('.').length });
      }
    }
    return options.length ? { from: match.from, options, validFor: /^payload[-\w>'$]*$/ } : null;
  };
}
