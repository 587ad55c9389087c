import { DrillClient, type DrillQueryRequest } from '@flux-capacitor/archive';
import { QueryCancelledError, QueryEngineUnavailableError, QueryInvalidError, QuerySyntaxError, QueryTimeoutError } from './query.errors';
import type { ResultColumn, ResultSet } from './result-set';

export interface DrillEngineOptions {
  /** Drill's web server, e.g. http://drill.example.com:8047 */
  url: string;
  /** schema stream tables resolve in (`USE <schema>`), e.g. `dfs.flux` where the catalog created its views */
  defaultSchema: string;
  /** user Drill impersonates, when the cluster has impersonation on */
  userName?: string;
  /** extra request headers, e.g. Authorization for Drill behind basic auth */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

export interface DrillRunOptions {
  sql: string;
  maxRows: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Apache Drill over its REST API, for archives too big for one machine. Drill reads the archive through the
 * views the catalog service maintains (`defaultSchema`); it has no access to the live tail, so every row is
 * `source = 'archive'`. Results come back in one response, capped with `autoLimit`, and are paged from memory.
 * Drill's failures are `{"errorMessage": "..."}` with HTTP 500; PARSE and VALIDATION errors are the user's (400).
 */
export class DrillEngine {
  private readonly client: DrillClient;

  constructor(private readonly options: DrillEngineOptions) {
    this.client = new DrillClient({ url: options.url, headers: options.headers, fetch: options.fetch });
  }

  requestFor(opts: DrillRunOptions): DrillQueryRequest {
    return {
      queryType: 'SQL',
      query: opts.sql,
      autoLimit: opts.maxRows + 1,
      defaultSchema: this.options.defaultSchema,
      ...(this.options.userName ? { userName: this.options.userName } : {}),
    };
  }

  async run(opts: DrillRunOptions): Promise<ResultSet> {
    const controller = new AbortController();
    let reason: 'timeout' | 'cancelled' | undefined;
    const timer = setTimeout(() => {
      reason ??= 'timeout';
      controller.abort();
    }, opts.timeoutMs);
    const onAbort = () => {
      reason ??= 'cancelled';
      controller.abort();
    };
    opts.signal?.addEventListener('abort', onAbort);
    let reply;
    try {
      reply = await this.client.query(this.requestFor(opts), controller.signal);
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (reply.kind === 'unreachable') {
      if (reason === 'timeout') throw new QueryTimeoutError(opts.timeoutMs);
      if (reason === 'cancelled') throw new QueryCancelledError();
      throw new QueryEngineUnavailableError(`Drill at ${this.options.url} could not be reached: ${(reply.cause as Error).message}`, { cause: reply.cause });
    }
    if (reply.kind === 'not-json') throw new QueryEngineUnavailableError(`Drill answered HTTP ${reply.status} with a non-JSON body: ${reply.text}`);
    if (reply.kind === 'rejected') throw drillError(reply.status, { errorMessage: reply.errorMessage });
    if (reply.kind === 'ended') {
      // The streaming API (Drill 1.19+) reports a failure after the rows only as a state, without the message.
      throw new QueryEngineUnavailableError(`Drill query ${reply.queryId} ended in state ${reply.queryState}; see its profile in the Drill web UI`);
    }
    const { response } = reply;
    const columns: ResultColumn[] = response.columns.map((name, i) => ({ name, type: response.metadata?.[i] ?? 'VARCHAR' }));
    const truncated = response.rows.length > opts.maxRows;
    const lines = response.rows.slice(0, opts.maxRows).map((row) => JSON.stringify(Object.fromEntries(response.columns.map((c) => [c, row[c] ?? null]))));
    return new DrillResultSet(columns, lines, truncated);
  }
}

/** Maps Drill's `{"errorMessage"}` to our errors: its PARSE and VALIDATION errors are the user's to fix. */
export function drillError(status: number, body: unknown): Error {
  const message = typeof body === 'object' && body !== null && 'errorMessage' in body ? String((body as { errorMessage: unknown }).errorMessage) : JSON.stringify(body);
  if (/^PARSE ERROR/.test(message)) return new QuerySyntaxError(`Drill: ${message}`);
  if (/^(VALIDATION|FUNCTION|UNSUPPORTED_OPERATION|DATA_READ) ERROR/.test(message)) return new QueryInvalidError(`Drill: ${message}`);
  return new QueryEngineUnavailableError(`Drill failed (HTTP ${status}): ${message}`);
}

class DrillResultSet implements ResultSet {
  constructor(
    readonly columns: ResultColumn[],
    private readonly lines: string[],
    readonly truncated: boolean,
  ) {}

  get rowCount(): number {
    return this.lines.length;
  }

  async readJsonLines(offset: number, limit: number): Promise<string[]> {
    return this.lines.slice(offset, offset + limit);
  }

  async exportParquet(): Promise<null> {
    return null;
  }

  close(): void {
    this.lines.length = 0;
  }
}
