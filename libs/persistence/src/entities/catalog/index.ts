export { CatalogObject } from './catalog-object.entity';
export { CatalogObjectShard } from './catalog-object-shard.entity';
export { CatalogPartition } from './catalog-partition.entity';
export { CatalogSchemaVersion, type CatalogSchemaField, type CatalogStringLengths } from './catalog-schema-version.entity';
export { CatalogStream, type CatalogStreamFormat } from './catalog-stream.entity';
