import type { FluxHttp } from './http';

export type QueryState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface QueryProgress {
  objectsTotal: number;
  objectsScanned: number;
  rowsScanned: number;
  bytesScanned: number;
  liveRecords: number;
}

export interface ResultColumn {
  name: string;
  type: string;
}

/** `GET /v1/queries/:id` (docs/query.md). */
export interface QueryStatus {
  id: string;
  state: QueryState;
  engine: string;
  sql: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  progress: QueryProgress;
  columns?: ResultColumn[];
  rowCount?: number;
  truncated?: boolean;
  warnings: string[];
  error?: { code: string; message: string; details?: Record<string, unknown> };
}

export interface QueryHistoryItem {
  id: string;
  state: QueryState;
  engine: string;
  sql: string;
  submittedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  rowCount: number | null;
  rowsScanned: number | null;
  bytesScanned: number | null;
  error: { code: string; message: string } | null;
}

/** A row of a JSON results page: column name to value; numbers stay exact (lossless-json). */
export type ResultRow = Record<string, unknown>;

export interface ResultsPage {
  columns: ResultColumn[];
  rowCount: number;
  truncated: boolean;
  nextCursor: string | null;
  rows: ResultRow[];
}

export type DownloadFormat = 'csv' | 'ndjson' | 'parquet';

export const isFinished = (state: QueryState) => state === 'succeeded' || state === 'failed' || state === 'cancelled';

/** The query gateway's asynchronous queries: submit, poll, page through results, cancel, history. */
export const queryApi = {
  submit: (http: FluxHttp, sql: string) => http.request<QueryStatus>('query', '/v1/queries', { method: 'POST', body: { sql } }),
  status: (http: FluxHttp, id: string, signal?: AbortSignal) => http.request<QueryStatus>('query', `/v1/queries/${encodeURIComponent(id)}`, { signal }),
  results: (http: FluxHttp, id: string, cursor: string | undefined, limit: number, signal?: AbortSignal) =>
    http.requestLossless<ResultsPage>('query', `/v1/queries/${encodeURIComponent(id)}/results`, { query: { cursor, limit }, signal }),
  cancel: (http: FluxHttp, id: string) => http.request<QueryStatus>('query', `/v1/queries/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  history: (http: FluxHttp, limit = 20, signal?: AbortSignal) => http.request<{ items: QueryHistoryItem[]; nextCursor: string | null }>('query', '/v1/queries', { query: { limit }, signal }),
  /** The whole result in a download format, fetched with the token (a plain link could not carry it). */
  download: async (http: FluxHttp, id: string, format: DownloadFormat): Promise<Blob> => {
    const res = await http.fetch('query', `/v1/queries/${encodeURIComponent(id)}/results`, { query: { format }, accept: '*/*' });
    return res.blob();
  },
};
