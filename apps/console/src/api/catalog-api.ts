import { unwrap, type CatalogOperations } from '@flux-capacitor/api-client';
import type { Api } from './api-context';

type Ok<Op extends keyof CatalogOperations> = CatalogOperations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } } ? T : never;

/** `GET /v1/streams` and `/v1/streams/:s/schema` on the catalog, typed from its OpenAPI document. */
export type CatalogStream = Ok<'CatalogController_listStreams'>['streams'][number];
export type StreamSchema = Ok<'CatalogController_getSchema'>;
export type SchemaField = StreamSchema['fields'][number];

export const catalogApi = {
  streams: ({ client }: Api, signal?: AbortSignal) => unwrap(client.catalog.GET('/v1/streams', { signal })),
  schema: ({ client }: Api, stream: string, version?: number, signal?: AbortSignal) =>
    unwrap(client.catalog.GET('/v1/streams/{stream}/schema', { params: { path: { stream }, query: { version } }, signal })),
};
