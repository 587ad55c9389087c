export { MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert } from './data-source';
export {
  ArchiveIntent,
  CatalogObject,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  InboxMessage,
  ShardLease,
  entities,
  type CatalogSchemaField,
  type CatalogStreamFormat,
} from './entities';
export { migrations } from './migrations';
