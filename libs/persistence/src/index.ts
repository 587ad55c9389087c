export { MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert } from './data-source';
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
  type CatalogStreamFormat,
  type QueryJobStateName,
  type ReplayStateName,
} from './entities';
export { migrations } from './migrations';
