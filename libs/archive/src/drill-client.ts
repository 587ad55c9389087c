/**
 * Apache Drill's REST API, the one client for it: the query engine runs SQL over the archive with it and the catalog
 * keeps its views over the archive with it. It returns what Drill answered as data; each caller maps a failure to
 * its own errors (a user's syntax error for the query engine, a metastore sync failure for the catalog).
 */

/** The body of `POST /query.json` (autoLimit since Drill 1.16, defaultSchema and userName since 1.18). */
export interface DrillQueryRequest {
  queryType: 'SQL';
  query: string;
  autoLimit?: number;
  defaultSchema?: string;
  userName?: string;
}

/** Drill's answer to `POST /query.json` (RestQueryRunner.QueryResult); Drill 1.19+ streams it with rows before `queryState`. */
export interface DrillQueryResponse {
  queryId: string;
  columns: string[];
  metadata?: string[];
  attemptedAutoLimit?: number;
  rows: Record<string, unknown>[];
  queryState?: string;
}

export type DrillReply =
  | { kind: 'completed'; response: DrillQueryResponse }
  /** The request did not get an answer (network, DNS, or `signal` aborted it). */
  | { kind: 'unreachable'; cause: unknown }
  | { kind: 'not-json'; status: number; text: string }
  /** A non-200 status or Drill's error body (`{"errorMessage": "..."}`, GenericErrorMessage). */
  | { kind: 'rejected'; status: number; errorMessage: string }
  /** The streamed answer ended in a state other than COMPLETED; Drill sends no message then (see the profile). */
  | { kind: 'ended'; queryId: string; queryState: string };

export interface DrillClientOptions {
  /** Drill's web server, e.g. http://drill.example.com:8047 */
  url: string;
  /** extra request headers, e.g. Authorization for Drill behind basic auth */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
  /** Bound of a call made without a signal of its own (default 60 s), so a silent Drill cannot hang its caller. */
  timeoutMs?: number;
}

export class DrillClient {
  readonly url: string;

  constructor(private readonly options: DrillClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
  }

  async query(request: DrillQueryRequest, signal?: AbortSignal): Promise<DrillReply> {
    const doFetch = this.options.fetch ?? fetch;
    let status: number;
    let text: string;
    try {
      const res = await doFetch(`${this.url}/query.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...this.options.headers },
        body: JSON.stringify(request),
        signal: signal ?? AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
      status = res.status;
      text = await res.text();
    } catch (cause) {
      return { kind: 'unreachable', cause };
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return { kind: 'not-json', status, text: text.slice(0, 200) };
    }
    const errorMessage = typeof body === 'object' && body !== null && 'errorMessage' in body ? String((body as { errorMessage: unknown }).errorMessage) : undefined;
    if (status !== 200 || errorMessage !== undefined) return { kind: 'rejected', status, errorMessage: errorMessage ?? text.slice(0, 200) };
    const response = body as DrillQueryResponse;
    if (response.queryState && response.queryState !== 'COMPLETED') return { kind: 'ended', queryId: response.queryId, queryState: response.queryState };
    return { kind: 'completed', response: { ...response, columns: response.columns ?? [], rows: response.rows ?? [] } };
  }
}
