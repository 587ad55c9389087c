export { DEFAULT_QUERY_TIMEOUT_MS, MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert, type DatabaseSettings } from './data-source';
export {
  ArchiveIntent,
  CatalogObject,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  InboxMessage,
  Replay,
  ReplayAuditEvent,
  ReplayWatermark,
  ShardLease,
  entities,
  type CatalogSchemaField,
  type CatalogStreamFormat,
  type ReplayStateName,
} from './entities';
export { migrations } from './migrations';
export { connectInBackground, isDatabaseUnavailable, type BackgroundConnection } from './database-availability';
