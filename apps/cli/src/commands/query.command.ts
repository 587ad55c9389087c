import { createArchiveStore } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { isFluxError } from '@flux-capacitor/contracts';
import { createQueryService, writeCsv, writeNdjson, type QueryStatus, type ResultSet } from '@flux-capacitor/query-engine';
import { Option, type Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { cliEnv } from '../cli-env';
import { CliError, INTERRUPTED_EXIT_CODE, UsageError } from '../cli-error';
import { withExamples } from '../help-example';
import { renderTable, type GlobalOptions } from '../output';
import { ApiHttpError, call, fluxClient, hasService, pause, requireService } from '../flux-api';
import { startActivity } from '../terminal';
import { formatBytes, formatCount } from './replay.command';

export type Format = 'table' | 'json' | 'ndjson' | 'csv';
interface QueryFlags {
  format?: Format;
  engine?: 'duckdb' | 'drill';
}

const out = (chunk: string | Uint8Array) =>
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

/** A gateway error as a CliError with its `detail` (and, for SQL, a caret under the position). */
function explainHttp(err: unknown, sql: string): unknown {
  if (!(err instanceof ApiHttpError)) return err;
  return new CliError(explain(sql, err.message, err.details?.position as number | undefined));
}

interface GatewayStatus {
  id: string;
  state: string;
  progress?: QueryStatus['progress'];
  error?: { message: string; details?: { position?: number } };
  truncated?: boolean;
  warnings: string[];
}

/** `running: 3/10 objects, 120,000 rows, 4.0 MiB scanned, 12 live records` */
export function describeProgress(status: Pick<GatewayStatus, 'state' | 'progress'>): string {
  const p = status.progress;
  if (!p || status.state === 'queued') return status.state;
  const objects = p.objectsTotal > 0 ? `${p.objectsScanned}/${p.objectsTotal} objects, ` : '';
  const live = p.liveRecords > 0 ? `, ${formatCount(p.liveRecords)} live records` : '';
  return `${status.state}: ${objects}${formatCount(p.rowsScanned)} rows, ${formatBytes(p.bytesScanned)} scanned${live}`;
}

/**
 * Ctrl-C while a query runs: the first one cancels it where it runs (the gateway, or this process) and the command
 * exits 130; the query's state becomes `cancelled`.
 */
function onInterrupt(also?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const abort = new AbortController();
  const handler = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', handler);
  also?.addEventListener('abort', handler, { once: true });
  return {
    signal: abort.signal,
    dispose: () => {
      process.off('SIGINT', handler);
      also?.removeEventListener('abort', handler);
    },
  };
}

/**
 * Through the gateway: start the query, wait for it, then fetch the results in the format asked for. `interrupted`
 * stands in for Ctrl-C (tests).
 */
export async function viaGateway(sql: string, format: Format, engine?: 'duckdb' | 'drill', interrupted?: AbortSignal): Promise<void> {
  const gateway = fluxClient().query;
  const interrupt = onInterrupt(interrupted);
  let id: string | undefined;
  const activity = startActivity('query');
  try {
    const queryId = (await call('query', gateway.POST('/v1/queries', { body: { sql, engine } })).catch((err: unknown) => Promise.reject(explainHttp(err, sql))))
      .id;
    id = queryId;
    const signal = interrupt.signal;
    let status: GatewayStatus;
    for (;;) {
      if (signal.aborted) throw signal.reason;
      status = (await call('query', gateway.GET('/v1/queries/{id}', { params: { path: { id: queryId } }, signal }))) as GatewayStatus;
      activity.update(describeProgress(status));
      if (status.state !== 'queued' && status.state !== 'running') break;
      await pause(200, signal);
    }
    activity.stop(status.state);
    if (status.state !== 'succeeded')
      throw new CliError(explain(sql, `query ${status.state}: ${status.error?.message ?? ''}`, status.error?.details?.position));
    for (const w of status.warnings) process.stderr.write(`warning: ${w}\n`);
    if (format === 'ndjson' || format === 'csv') {
      const body = await call(
        'query',
        gateway.GET('/v1/queries/{id}/results', { params: { path: { id: queryId }, query: { format } }, parseAs: 'stream', signal }),
      );
      // The bytes as they come: a character split between two chunks would not survive decoding each on its own.
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) await out(chunk);
    } else {
      const rows: Record<string, unknown>[] = [];
      let columns: string[] = [];
      let cursor: string | null = null;
      do {
        const page = (await call(
          'query',
          gateway.GET('/v1/queries/{id}/results', { params: { path: { id: queryId }, query: { limit: 10000, cursor: cursor ?? undefined } }, signal }),
        )) as { columns: { name: string }[]; rows: Record<string, unknown>[]; nextCursor: string | null };
        columns = page.columns.map((c) => c.name);
        rows.push(...page.rows);
        cursor = page.nextCursor;
      } while (cursor);
      await printRows(format, rows, columns);
    }
    if (status.truncated) process.stderr.write('warning: the result was truncated at the row cap\n');
    await call('query', gateway.DELETE('/v1/queries/{id}', { params: { path: { id: queryId } } }));
  } catch (err) {
    if (!interrupt.signal.aborted) throw err;
    // A query submitted just as Ctrl-C came is cancelled too: the POST finished, so `id` is known.
    // Best effort: the user stopped the command, and says so by exit code 130 whether or not the gateway heard it.
    let cancelled = false;
    if (id !== undefined)
      cancelled = await call('query', gateway.DELETE('/v1/queries/{id}', { params: { path: { id } } })).then(
        () => true,
        () => false,
      );
    throw new CliError(id ? `query ${id} ${cancelled ? 'cancelled' : 'interrupted (the gateway could not be told to cancel it)'}` : 'interrupted', INTERRUPTED_EXIT_CODE);
  } finally {
    activity.stop();
    interrupt.dispose();
  }
}

/** Embedded: the same engine in this process, against the catalog database and the archive. */
async function embedded(sql: string, format: Format, engine?: 'duckdb' | 'drill'): Promise<void> {
  const config = loadConfig(cliEnv.all);
  const ds = await createDataSource(config.database).initialize();
  const s3 = createS3Client(config.aws);
  const kinesis = createKinesisClient(config.aws);
  const service = createQueryService(config.query, { catalog: new CatalogReader(ds), archive: createArchiveStore(config.archive, s3), kinesis });
  let result: ResultSet | undefined;
  const interrupt = onInterrupt();
  const activity = startActivity('query');
  try {
    const { id } = await service.submit({ sql, engine });
    interrupt.signal.addEventListener('abort', () => service.cancel(id), { once: true });
    const ticker = setInterval(() => activity.update(describeProgress(service.status(id))), 250);
    const status = await service.waitForSuccess(id).finally(() => {
      clearInterval(ticker);
      activity.stop();
    });
    for (const w of status.warnings) process.stderr.write(`warning: ${w}\n`);
    result = service.results(id);
    if (format === 'ndjson') await writeNdjson(result, out);
    else if (format === 'csv') await writeCsv(result, out);
    else
      await printRows(
        format,
        (await result.readJsonLines(0, result.rowCount)).map((l) => JSON.parse(l) as Record<string, unknown>),
        result.columns.map((c) => c.name),
      );
    if (result.truncated) process.stderr.write('warning: the result was truncated at the row cap\n');
  } catch (err) {
    if (interrupt.signal.aborted) throw new CliError('query cancelled', INTERRUPTED_EXIT_CODE);
    // Our own errors are the user's to read (a syntax error with a caret); anything else (a bug) passes on as it is.
    if (isFluxError(err) && err.kind !== 'internal') throw new CliError(explain(sql, err.message, err.details?.position as number | undefined));
    throw err;
  } finally {
    interrupt.dispose();
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
  requireService('query', 'fluxcap query list');
  const gateway = fluxClient().query;
  const items: HistoryItem[] = [];
  let cursor: string | null = null;
  do {
    const page = (await call(
      'query',
      gateway.GET('/v1/queries', { params: { query: { limit: Math.min(100, limit - items.length), cursor: cursor ?? undefined } } }),
    )) as {
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

/** The SQL: the argument (`-` reads stdin), a file (-f), or stdin when it is piped. */
export async function readSql(arg: string | undefined, file: string | undefined, stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (arg !== undefined && file !== undefined) throw new UsageError('give the SQL either as an argument or with -f FILE, not both');
  let sql: string;
  if (file !== undefined) {
    try {
      sql = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  } else if (arg !== undefined && arg !== '-') sql = arg;
  else if (arg === '-' || !stdin.isTTY) sql = await text(stdin);
  else throw new UsageError('missing SQL: give it as an argument, with -f FILE, or on stdin');
  // A trailing semicolon (usual in .sql files) is not a second statement.
  sql = sql.trim().replace(/;\s*$/, '').trim();
  if (!sql) throw new UsageError('the SQL is empty');
  return sql;
}

export function registerQueryCommand(program: Command): void {
  const query = withExamples(
    program
      .command('query')
      .description(
        'Run SQL over archived and live records (each stream is a table): through the gateway when FLUX_QUERY_URL is set (Ctrl-C cancels it there), embedded otherwise',
      )
      .argument('[sql]', 'one read-only SELECT/WITH statement, e.g. SELECT count(*) FROM "orders"; - or nothing reads it from stdin')
      .option('-f, --file <file>', 'read the SQL from this file')
      .addOption(new Option('--format <format>', 'output format (default table; json with --json)').choices(['table', 'json', 'ndjson', 'csv']))
      .addOption(new Option('--engine <engine>', 'query engine (default FLUX_QUERY_ENGINE)').choices(['duckdb', 'drill']))
      .action(async (sqlArg: string | undefined, flags: QueryFlags & { file?: string }, cmd: Command) => {
        const sql = await readSql(sqlArg, flags.file);
        const format: Format = flags.format ?? (cmd.optsWithGlobals<GlobalOptions>().json ? 'json' : 'table');
        if (hasService('query')) await viaGateway(sql, format, flags.engine);
        else await embedded(sql, format, flags.engine);
      }),
    `fluxcap query "SELECT source, count(*) AS n FROM orders GROUP BY source"`,
    'fluxcap query -f report.sql --format csv > report.csv',
    `echo "SELECT * FROM orders ORDER BY arrival_time DESC LIMIT 5" | fluxcap query --json`,
  );
  withExamples(
    query
      .command('list')
      .description('Your recent asynchronous queries on the gateway (FLUX_QUERY_URL), newest first: state, duration, rows, bytes scanned')
      .option('--limit <n>', 'how many (1-1000)', '20')
      .action(async (flags: { limit: string }, cmd: Command) => {
        const limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
        await listQueries(limit, cmd.optsWithGlobals<GlobalOptions>().json === true);
      }),
    'fluxcap query list --limit 5',
  );
}

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}
