export { CatalogReader } from './catalog-reader';
export { CatalogWriter } from './catalog-writer';
export type { CatalogObjectInfo } from './catalog.types';
export { streamLocationOf, type MetastoreSync } from './metastore/metastore.types';
export { archiveHiveTableDdl, kinesisHiveTableDdl } from './metastore/hive-ddl';
export { ArchiveObjectInspector } from './ingest/archive-object-inspector';
export { CatalogIngest } from './ingest/catalog-ingest';
export { rebuildCatalog } from './ingest/catalog-rebuild';
export { createMetastores } from './metastore/create-metastores';
