export { MIGRATIONS_TABLE, createDataSource, dataSourceOptions, migrate, revert } from './data-source';
export { InboxMessage, entities } from './entities';
export { migrations } from './migrations';
