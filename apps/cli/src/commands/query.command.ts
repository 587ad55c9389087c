import { createArchiveStore } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { isFluxError } from '@flux-capacitor/contracts';
import { createQueryService, writeCsv, writeNdjson, type ResultSet } from '@flux-capacitor/query-engine';
import { Option, type Command } from 'commander';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { renderTable, type GlobalOptions } from '../output';

type Format = 'table' | 'json' | 'ndjson' | 'csv';
interface QueryFlags {
  format?: Format;
  engine?: 'duckdb' | 'drill';
}

const out = (chunk: string) =>
  new Promise<void>((resolve) => {
    if (process.stdout.write(chunk)) resolve();
    else process.stdout.once('drain', resolve);
  });

/**
 * For a syntax error, shows the statement with a caret under the position DuckDB reported (on stderr, above the
 * one-line error the CLI prints for every failure), and returns the message.
 */
function explain(sql: string, message: string, position?: number): string {
  if (position !== undefined && !sql.includes('\n')) process.stderr.write(`  ${sql}\n  ${' '.repeat(position)}^\n`);
  return message;
}

async function printRows(format: Format, rows: Record<string, unknown>[], columns: string[]): Promise<void> {
  if (format === 'json') await out(`${JSON.stringify(rows)}\n`);
  else await out(`${renderTable(rows, columns)}\n`);
}

/** One request to the gateway; a problem answer becomes a CliError with its `detail` (and, for SQL, a caret). */
async function callGateway(baseUrl: string, method: string, path: string, body?: unknown, sql?: string): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cliEnv.apiToken) headers.authorization = `Bearer ${cliEnv.apiToken}`;
  const res = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, { method, headers, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) {
    // An RFC 9457 problem: `detail` is the reason, `details.position` a syntax error's offset.
    const problem = (await res.json().catch(() => ({}))) as { detail?: string; details?: { position?: number } };
    const message = `query gateway: HTTP ${res.status}: ${problem.detail ?? res.statusText}`;
    throw new CliError(sql === undefined ? message : explain(sql, message, problem.details?.position));
  }
  return res;
}

/** Through the gateway: start the query, wait for it, then fetch the results in the format asked for. */
async function viaGateway(baseUrl: string, sql: string, format: Format, engine?: string): Promise<void> {
  const call = (method: string, path: string, body?: unknown) => callGateway(baseUrl, method, path, body, sql);
  const { id } = (await (await call('POST', '/v1/queries', { sql, engine })).json()) as { id: string };
  let status: { state: string; error?: { message: string; details?: { position?: number } }; truncated?: boolean; warnings: string[] };
  for (;;) {
    status = (await (await call('GET', `/v1/queries/${id}`)).json()) as typeof status;
    if (status.state !== 'queued' && status.state !== 'running') break;
    await new Promise((r) => setTimeout(r, 200));
  }
  if (status.state !== 'succeeded') throw new CliError(explain(sql, `query ${status.state}: ${status.error?.message ?? ''}`, status.error?.details?.position));
  for (const w of status.warnings) process.stderr.write(`warning: ${w}\n`);
  if (format === 'ndjson' || format === 'csv') {
    const res = await call('GET', `/v1/queries/${id}/results?format=${format}`);
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) await out(Buffer.from(chunk).toString('utf8'));
  } else {
    const rows: Record<string, unknown>[] = [];
    let columns: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await call('GET', `/v1/queries/${id}/results?limit=10000${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        columns: { name: string }[];
        rows: Record<string, unknown>[];
        nextCursor: string | null;
      };
      columns = page.columns.map((c) => c.name);
      rows.push(...page.rows);
      cursor = page.nextCursor;
    } while (cursor);
    await printRows(format, rows, columns);
  }
  if (status.truncated) process.stderr.write('warning: the result was truncated at the row cap\n');
  await call('DELETE', `/v1/queries/${id}`);
}

/** Embedded: the same engine in this process, against the catalog database and the archive. */
async function embedded(sql: string, format: Format, engine?: 'duckdb' | 'drill'): Promise<void> {
  const config = loadConfig(cliEnv.all);
  const ds = await createDataSource(config.database.url).initialize();
  const s3 = createS3Client(config.aws);
  const kinesis = createKinesisClient(config.aws);
  const service = createQueryService(config.query, { catalog: new CatalogReader(ds), archive: createArchiveStore(config.archive, s3), kinesis });
  let result: ResultSet | undefined;
  try {
    const { id } = await service.submit({ sql, engine });
    const status = await service.waitForSuccess(id);
    for (const w of status.warnings) process.stderr.write(`warning: ${w}\n`);
    result = service.results(id);
    if (format === 'ndjson') await writeNdjson(result, out);
    else if (format === 'csv') await writeCsv(result, out);
    else await printRows(format, (await result.readJsonLines(0, result.rowCount)).map((l) => JSON.parse(l) as Record<string, unknown>), result.columns.map((c) => c.name));
    if (result.truncated) process.stderr.write('warning: the result was truncated at the row cap\n');
  } catch (err) {
    // Our own errors are the user's to read (a syntax error with a caret); anything else (a bug) passes on as it is.
    if (isFluxError(err) && err.kind !== 'internal') throw new CliError(explain(sql, err.message, err.details?.position as number | undefined));
    throw err;
  } finally {
    service.close();
    await ds.destroy();
    s3.destroy();
    kinesis.destroy();
  }
}

interface HistoryItem {
  id: string;
  state: string;
  submittedAt: string;
  durationMs: number;
  rowCount?: number;
  bytesScanned: number;
  sql: string;
  error?: { code: string };
}

/** The caller's recent asynchronous queries on the gateway, newest first (`GET /v1/queries`). */
async function listQueries(limit: number, json: boolean): Promise<void> {
  const gateway = cliEnv.queryUrl;
  if (!gateway) throw new CliError('fluxcap query list needs the gateway: set FLUX_QUERY_URL (and FLUX_API_TOKEN)');
  const items: HistoryItem[] = [];
  let cursor: string | null = null;
  do {
    const page = (await (await callGateway(gateway, 'GET', `/v1/queries?limit=${Math.min(100, limit - items.length)}${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
      items: HistoryItem[];
      nextCursor: string | null;
    };
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < limit);
  if (json) return out(`${JSON.stringify(items)}\n`);
  const rows = items.map((i) => ({ ...i, error: i.error?.code, sql: i.sql.replace(/\s+/g, ' ') }));
  await out(`${renderTable(rows, ['id', 'state', 'submittedAt', 'durationMs', 'rowCount', 'bytesScanned', 'error', 'sql'])}\n`);
}

export function registerQueryCommand(program: Command): void {
  const query = program
    .command('query')
    .description('Run SQL over archived and live records (each stream is a table): through the gateway when FLUX_QUERY_URL is set, embedded otherwise')
    .argument('<sql>', 'one read-only SELECT/WITH statement, e.g. SELECT count(*) FROM "orders"')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'ndjson', 'csv']))
    .addOption(new Option('--engine <engine>', 'query engine (default FLUX_QUERY_ENGINE)').choices(['duckdb', 'drill']))
    .action(async (sql: string, flags: QueryFlags, cmd: Command) => {
      const format: Format = flags.format ?? (cmd.optsWithGlobals<GlobalOptions>().json ? 'json' : 'table');
      const gateway = cliEnv.queryUrl;
      if (gateway) await viaGateway(gateway, sql, format, flags.engine);
      else await embedded(sql, format, flags.engine);
    });
  query
    .command('list')
    .description("Your recent asynchronous queries on the gateway (FLUX_QUERY_URL), newest first: state, duration, rows, bytes scanned")
    .option('--limit <n>', 'how many (1-1000)', '20')
    .action(async (flags: { limit: string }, cmd: Command) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new CliError('--limit must be a whole number from 1 to 1000');
      await listQueries(limit, cmd.optsWithGlobals<GlobalOptions>().json === true);
    });
}
