import type { CatalogSchemaField } from '@flux-capacitor/persistence';
import type { StreamSchema } from '../catalog.types';
import { HIVE_ARCHIVE_COLUMNS, HIVE_PARTITION_KEYS, PARQUET_FORMAT, tableNameOf } from './metastore.types';

const HIVE_SCALAR: Record<string, string> = { string: 'STRING', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN' };

const hiveQuote = (name: string) => `\`${name.replace(/`/g, '``')}\``;
const hiveString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The Hive type of a top-level JSON field: its scalar type, DOUBLE for integer+number, else STRING (raw JSON). */
export function hiveTypeOf(field: CatalogSchemaField): string {
  const types = new Set(field.types);
  if (types.size === 2 && types.has('integer') && types.has('number')) return 'DOUBLE';
  if (types.size === 1) return HIVE_SCALAR[[...types][0]] ?? 'STRING';
  return 'STRING';
}

/**
 * Hive DDL for EMR users who query the live stream with the EMR Kinesis connector: a table `STORED BY
 * 'com.amazon.emr.kinesis.hive.KinesisStorageHandler'` reading the stream named in TBLPROPERTIES
 * ("kinesis.stream.name"). JSON streams get one column per top-level field (JsonSerDe); binary streams one
 * STRING column holding each record.
 */
export function kinesisHiveTableDdl(stream: string, schema: StreamSchema | null, tableName = `${tableNameOf(stream)}_live`): string {
  const topLevel = (schema?.format === 'json' ? schema.fields : []).filter((f) => !f.path.includes('.') && !f.path.includes('[]'));
  const lines: string[] = [`CREATE EXTERNAL TABLE IF NOT EXISTS ${hiveQuote(tableName)} (`];
  if (topLevel.length > 0) {
    lines.push(topLevel.map((f) => `  ${hiveQuote(f.path)} ${hiveTypeOf(f)}`).join(',\n'));
    lines.push(')');
    lines.push(`ROW FORMAT SERDE 'org.apache.hive.hcatalog.data.JsonSerDe'`);
  } else {
    lines.push('  `record` STRING');
    lines.push(')');
  }
  lines.push(`STORED BY 'com.amazon.emr.kinesis.hive.KinesisStorageHandler'`);
  lines.push(`TBLPROPERTIES ("kinesis.stream.name" = "${stream.replace(/"/g, '')}");`);
  return lines.join('\n');
}

/** Hive DDL of the external Parquet table over a stream's archive (what the metastore sync creates over Thrift). */
export function archiveHiveTableDdl(stream: string, location: string, database?: string): string {
  const name = database ? `${hiveQuote(database)}.${hiveQuote(tableNameOf(stream))}` : hiveQuote(tableNameOf(stream));
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${name} (`,
    HIVE_ARCHIVE_COLUMNS.map((c) => `  ${hiveQuote(c.name)} ${c.type.toUpperCase()} COMMENT ${hiveString(c.comment)}`).join(',\n'),
    ')',
    `PARTITIONED BY (${HIVE_PARTITION_KEYS.map((k) => `${hiveQuote(k.name)} ${k.type.toUpperCase()}`).join(', ')})`,
    `ROW FORMAT SERDE '${PARQUET_FORMAT.serde}'`,
    `STORED AS INPUTFORMAT '${PARQUET_FORMAT.inputFormat}'`,
    `OUTPUTFORMAT '${PARQUET_FORMAT.outputFormat}'`,
    `LOCATION ${hiveString(location.endsWith('/') ? location : `${location}/`)};`,
  ].join('\n');
}
