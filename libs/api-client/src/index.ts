export { ApiError, apiErrorOf, networkError, type Problem } from './api-error';
export { createFluxClient, unwrap, type FluxClient, type FluxClientOptions, type FluxServiceUrls } from './flux-client';
export type { components as ArchiverComponents, operations as ArchiverOperations, paths as ArchiverPaths } from './generated/archiver';
export type { components as CatalogComponents, operations as CatalogOperations, paths as CatalogPaths } from './generated/catalog';
export type { components as QueryComponents, operations as QueryOperations, paths as QueryPaths } from './generated/query-gateway';
export type { components as ReplayComponents, operations as ReplayOperations, paths as ReplayPaths } from './generated/replay-coordinator';
