import { Logger } from '@nestjs/common';
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

/** The Drill type a field can be cast to, or null when its values are not one scalar kind. */
export function drillTypeOf(field: CatalogSchemaField): string | null {
  const types = new Set(field.types);
  if (types.size === 2 && types.has('integer') && types.has('number')) return 'DOUBLE';
  if (types.size !== 1) return null;
  return DRILL_TYPE[[...types][0]] ?? null;
}

/**
 * `CREATE OR REPLACE VIEW <viewSchema>.<stream>` over a stream's archive, shaped like the query gateway's table:
 * the archive columns, `payload` (the record parsed with convert_from(data, 'JSON'); NULL for binary streams),
 * `source` ('archive': Drill never sees the live tail), then one typed column per scalar JSON field outside arrays
 * (`user.name` -> `user_name`) cast to its inferred type. Fields whose values mix kinds stay in `payload` only.
 * The view is named after the stream, so `SELECT ... FROM orders` resolves with the view schema as default schema.
 */
export function drillViewSql(table: StreamTable, viewSchema: string, archiveSchema: string): string {
  const json = table.schema?.format === 'json';
  const used = new Set<string>([...ARCHIVE_COLUMNS.map((c) => c.name), 'payload', 'source']);
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
  const payload = json ? `convert_from(a.${quote('data')}, 'JSON')` : 'CAST(NULL AS VARCHAR)';
  const columns = [...ARCHIVE_COLUMNS.map((c) => `t.${quote(c.name)}`), `t.${quote('payload')}`, `'archive' AS ${quote('source')}`, ...typed];
  return [
    `CREATE OR REPLACE VIEW ${quotePath(viewSchema)}.${quote(table.stream)} AS`,
    `SELECT ${columns.join(', ')}`,
    `FROM (SELECT a.*, ${payload} AS ${quote('payload')} FROM ${quotePath(archiveSchema)}.${quote(table.stream)} a) t`,
  ].join('\n');
}

/** Drill's POST /query.json response (RestQueryRunner.QueryResult) or its error body (GenericErrorMessage). */
interface DrillQueryResponse {
  queryId?: string;
  columns?: string[];
  rows?: Record<string, string>[];
  queryState?: string;
  errorMessage?: string;
}

/**
 * Keeps one Drill view per stream over the archive, re-created when the schema changes. Drill discovers
 * partitions (directories) by itself, so addPartitions does nothing.
 */
export class DrillViewSync implements MetastoreSync {
  readonly name = 'drill';
  private readonly logger = new Logger(DrillViewSync.name);

  constructor(
    private readonly url: string,
    private readonly viewSchema: string,
    private readonly archiveSchema: string,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async ensureTable(table: StreamTable): Promise<void> {
    const sql = drillViewSql(table, this.viewSchema, this.archiveSchema);
    const result = await this.query(sql);
    const ok = result.rows?.[0]?.ok;
    if (ok !== undefined && String(ok) !== 'true') {
      throw new MetastoreSyncError(this.name, `view ${table.stream} not created: ${result.rows?.[0]?.summary ?? 'no summary'}`);
    }
    this.logger.log({ msg: 'drill view replaced', view: `${this.viewSchema}.${table.stream}`, schemaVersion: table.schema?.version ?? null });
  }

  async addPartitions(_table: StreamTable, _partitions: TablePartition[]): Promise<void> {
    // Drill reads the dt=/hour= directories directly.
  }

  private async query(sql: string): Promise<DrillQueryResponse> {
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.url}/query.json`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ queryType: 'SQL', query: sql }),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new MetastoreSyncError(this.name, `POST ${this.url}/query.json failed`, { cause: err });
    }
    const text = await res.text();
    let body: DrillQueryResponse;
    try {
      body = JSON.parse(text) as DrillQueryResponse;
    } catch {
      throw new MetastoreSyncError(this.name, `HTTP ${res.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!res.ok || body.errorMessage) {
      throw new MetastoreSyncError(this.name, `HTTP ${res.status}: ${body.errorMessage ?? text.slice(0, 200)}`);
    }
    if (body.queryState && body.queryState !== 'COMPLETED') {
      throw new MetastoreSyncError(this.name, `query ${body.queryId ?? ''} ended ${body.queryState}`);
    }
    return body;
  }
}
