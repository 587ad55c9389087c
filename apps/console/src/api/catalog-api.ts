import type { FluxHttp } from './http';

/** `GET /v1/streams` on the catalog. */
export interface CatalogStream {
  name: string;
  format: string | null;
  objectCount: number;
  recordCount: number;
  bytes: number;
  partitionCount: number;
  firstArrivalTime: string | null;
  lastArrivalTime: string | null;
  schemaVersion: number | null;
}

export interface SchemaField {
  /** dotted path from the record root; array elements are `[]` (`items[].sku`) */
  path: string;
  types: string[];
  nullable: boolean;
  firstSeen: string;
  lastSeen: string;
}

export interface StreamSchema {
  stream: string;
  version: number;
  format: string;
  fields: SchemaField[];
  firstSeen: string;
  lastSeen: string;
  versions: { version: number; firstSeen: string; lastSeen: string }[];
}

export const catalogApi = {
  streams: (http: FluxHttp, signal?: AbortSignal) => http.request<{ streams: CatalogStream[] }>('catalog', '/v1/streams', { signal }),
  schema: (http: FluxHttp, stream: string, version?: number, signal?: AbortSignal) =>
    http.request<StreamSchema>('catalog', `/v1/streams/${encodeURIComponent(stream)}/schema`, { query: { version }, signal }),
};
