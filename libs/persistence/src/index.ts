export { DEFAULT_QUERY_TIMEOUT_MS, MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert, type DatabaseSettings } from './data-source';
export {
  ArchiveIntent,
  CatalogObject,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  InboxMessage,
  QueryJob,
  Replay,
  ReplayAuditEvent,
  ReplayWatermark,
  ShardLease,
  entities,
  type CatalogSchemaField,
  type CatalogStringLengths,
  type CatalogStreamFormat,
  type QueryJobStateName,
  type ReplayStateName,
} from './entities';
export { migrations } from './migrations';
export { PostgresTlsError, SSL_MODES, resolvePostgresTls, type PostgresTlsSettings, type SslMode } from './postgres-tls';
export { connectInBackground, isDatabaseUnavailable, type BackgroundConnection } from './database-availability';
