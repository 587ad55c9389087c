import { unwrap, type QueryOperations } from '@flux-capacitor/api-client';
import { parse } from 'lossless-json';
import type { Api } from './api-context';

type Ok<Op extends keyof QueryOperations> = QueryOperations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } }
  ? T
  : QueryOperations[Op]['responses'] extends { 202: { content: { 'application/json': infer T } } }
    ? T
    : never;

/** `GET /v1/queries/:id` (docs/query.md), typed from the gateway's OpenAPI document. */
export type QueryStatus = Ok<'QueryController_status'>;
export type QueryState = QueryStatus['state'];
export type ResultColumn = NonNullable<QueryStatus['columns']>[number];
export type QueryHistoryItem = Ok<'QueryController_list'>['items'][number];

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
  submit: ({ client }: Api, sql: string) => unwrap(client.query.POST('/v1/queries', { body: { sql } })),
  status: ({ client }: Api, id: string, signal?: AbortSignal) => unwrap(client.query.GET('/v1/queries/{id}', { params: { path: { id } }, signal })),
  /** A JSON page parsed with lossless-json: 56-digit sequence numbers and big integers never become floats. */
  results: async ({ client }: Api, id: string, cursor: string | undefined, limit: number, signal?: AbortSignal): Promise<ResultsPage> => {
    const text = await unwrap(client.query.GET('/v1/queries/{id}/results', { params: { path: { id }, query: { cursor, limit } }, parseAs: 'text', signal }));
    return parse(text as unknown as string) as unknown as ResultsPage;
  },
  cancel: ({ client }: Api, id: string) => unwrap(client.query.DELETE('/v1/queries/{id}', { params: { path: { id } } })),
  history: ({ client }: Api, limit = 20, signal?: AbortSignal) => unwrap(client.query.GET('/v1/queries', { params: { query: { limit } }, signal })),
  /** The whole result in a download format, fetched with the token (a plain link could not carry it). */
  download: async ({ client }: Api, id: string, format: DownloadFormat): Promise<Blob> =>
    (await unwrap(client.query.GET('/v1/queries/{id}/results', { params: { path: { id }, query: { format } }, parseAs: 'blob' }))) as unknown as Blob,
};
