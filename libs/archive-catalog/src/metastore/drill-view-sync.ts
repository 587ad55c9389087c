import { Logger } from '@nestjs/common';
import { DrillClient, type DrillQueryResponse } from '@flux-capacitor/archive';
import { ARCHIVE_COLUMNS } from '@flux-capacitor/contracts';
import type { CatalogSchemaField } from '@flux-capacitor/persistence';
import { MetastoreSyncError } from '../catalog.errors';
import type { MetastoreSync, StreamTable, TablePartition } from './metastore.types';

const DRILL_TYPE: Record<string, string> = { string: 'VARCHAR', integer: 'BIGINT', number: 'DOUBLE', boolean: 'BOOLEAN' };

/** Drill quotes identifiers with backticks and has no escape for a backtick inside one. */
const quote = (name: string) => {
  if (name.includes('`')) throw new Error(`identifier ${name} contains a backtick`);
  return `\`${name}\``;
};
const quotePath = (dotted: string) => dotted.split('.').map(quote).join('.');

/** The archive columns the view shows, `data` holding every record's bytes (data_json is folded into it). */
const STREAM_ARCHIVE_COLUMNS = ARCHIVE_COLUMNS.map((c) => c.name).filter((name) => name !== 'data_json');

/** The Drill type a field can be cast to, or null when its values are not one scalar kind. */
export function drillTypeOf(field: CatalogSchemaField): string | null {
  const types = new Set(field.types);
  if (types.size === 2 && types.has('integer') && types.has('number')) return 'DOUBLE';
  if (types.size !== 1) return null;
  return DRILL_TYPE[[...types][0]] ?? null;
}

/**
 * `CREATE OR REPLACE VIEW <viewSchema>.<stream>` over a stream's archive (layout-1 and layout-2 objects), shaped like
 * the query gateway's table: the archive columns with `data` every record's bytes, `payload` (the record parsed with
 * convert_from(data, 'JSON'); NULL for binary streams),
 * `source` ('archive': Drill never sees the live tail), then one typed column per scalar JSON field outside arrays
 * (`user.name` -> `user_name`) cast to its inferred type. Fields whose values mix kinds stay in `payload` only.
 * The view is named after the stream, so `SELECT ... FROM orders` resolves with the view schema as default schema.
 */
export function drillViewSql(table: StreamTable, viewSchema: string, archiveSchema: string): string {
  const json = table.schema?.format === 'json';
  const used = new Set<string>([...STREAM_ARCHIVE_COLUMNS, 'payload', 'source']);
  const typed: string[] = [];
  if (json) {
    for (const f of table.schema!.fields) {
      const type = drillTypeOf(f);
      if (!type || f.path.includes('[]') || f.path.includes('`')) continue;
      let column = f.path.replace(/[^A-Za-z0-9_]/g, '_');
      if (used.has(column)) column = `payload_${column}`;
      if (used.has(column)) continue;
      used.add(column);
      typed.push(`CAST(t.${quote('payload')}.${quotePath(f.path)} AS ${type}) AS ${quote(column)}`);
    }
  }
  // Layout 2 keeps a JSON record's text in data_json (data is NULL then), layout 1 every record in data; Drill reads
  // data_json (JSON-annotated binary) as VARBINARY or VARCHAR depending on its version, and as NULL in layout-1
  // files, so the cast makes both branches VARBINARY.
  const data = `COALESCE(a.${quote('data')}, CAST(a.${quote('data_json')} AS VARBINARY))`;
  const payload = json ? `convert_from(${data}, 'JSON')` : 'CAST(NULL AS VARCHAR)';
  const inner = [...STREAM_ARCHIVE_COLUMNS.map((name) => (name === 'data' ? `${data} AS ${quote('data')}` : `a.${quote(name)}`)), `${payload} AS ${quote('payload')}`];
  const columns = [...STREAM_ARCHIVE_COLUMNS.map((name) => `t.${quote(name)}`), `t.${quote('payload')}`, `'archive' AS ${quote('source')}`, ...typed];
  return [
    `CREATE OR REPLACE VIEW ${quotePath(viewSchema)}.${quote(table.stream)} AS`,
    `SELECT ${columns.join(', ')}`,
    `FROM (SELECT ${inner.join(', ')} FROM ${quotePath(archiveSchema)}.${quote(table.stream)} a) t`,
  ].join('\n');
}

/**
 * Keeps one Drill view per stream over the archive, re-created when the schema changes. Drill discovers
 * partitions (directories) by itself, so addPartitions does nothing.
 */
export class DrillViewSync implements MetastoreSync {
  readonly name = 'drill';
  private readonly logger = new Logger(DrillViewSync.name);
  private readonly client: DrillClient;

  constructor(
    url: string,
    private readonly viewSchema: string,
    private readonly archiveSchema: string,
    fetchImpl: typeof fetch = fetch,
  ) {
    this.client = new DrillClient({ url, fetch: fetchImpl });
  }

  async ensureTable(table: StreamTable): Promise<void> {
    const sql = drillViewSql(table, this.viewSchema, this.archiveSchema);
    const result = await this.query(sql);
    const ok = result.rows[0]?.ok;
    if (ok !== undefined && String(ok) !== 'true') {
      throw new MetastoreSyncError(this.name, `view ${table.stream} not created: ${String(result.rows[0]?.summary ?? 'no summary')}`);
    }
    this.logger.log({ msg: 'drill view replaced', view: `${this.viewSchema}.${table.stream}`, schemaVersion: table.schema?.version ?? null });
  }

  async addPartitions(_table: StreamTable, _partitions: TablePartition[]): Promise<void> {
    // Drill reads the dt=/hour= directories directly.
  }

  private async query(sql: string): Promise<DrillQueryResponse> {
    const reply = await this.client.query({ queryType: 'SQL', query: sql }, AbortSignal.timeout(60_000));
    switch (reply.kind) {
      case 'completed':
        return reply.response;
      case 'unreachable':
        throw new MetastoreSyncError(this.name, `POST ${this.client.url}/query.json failed`, { cause: reply.cause });
      case 'not-json':
        throw new MetastoreSyncError(this.name, `HTTP ${reply.status}, not JSON: ${reply.text}`);
      case 'rejected':
        throw new MetastoreSyncError(this.name, `HTTP ${reply.status}: ${reply.errorMessage}`);
      case 'ended':
        throw new MetastoreSyncError(this.name, `query ${reply.queryId} ended ${reply.queryState}`);
    }
  }
}
