export { MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert } from './data-source';
export {
  CatalogObject,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  InboxMessage,
  entities,
  type CatalogSchemaField,
  type CatalogStreamFormat,
} from './entities';
export { migrations } from './migrations';
