export { PgCatalog, STREAM_TABLE_COLUMNS, type CatalogResult, type StreamFieldColumn } from './pg-catalog';
export { pgErrorOf } from './pg-errors';
export { MessageReader, msg, parseStartup, PgError, PgProtocolError, type PgField } from './pg-messages';
export { QueryServiceBackend, type QueryBackendDeps } from './pg-query-backend';
export { isLoopback, PgServer, type PgServerOptions } from './pg-server';
export { PgSession, DEFAULT_SETTINGS, type PgBackend, type PgPrincipal, type PgRowSource } from './pg-session';
export { bindParameters, isCatalogStatement, parameterCount, routeStatement, splitStatements } from './pg-sql';
export { decodeParameter, encodeValue, fieldOf, OID, pgTypeOf, sqlLiteral } from './pg-values';
