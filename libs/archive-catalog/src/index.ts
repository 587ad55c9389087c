export { CatalogReader } from './catalog-reader';
export { CatalogWriter, partitionLocationOf, partitionStart, type RecordSchemaResult } from './catalog-writer';
export type {
  CatalogObjectInfo,
  PartitionInfo,
  RegisterObjectResult,
  StreamSchema,
  StreamSummary,
  TimeRange,
} from './catalog.types';
export {
  MAX_SCHEMA_DEPTH,
  MAX_SCHEMA_FIELDS,
  SchemaObserver,
  mergeSchema,
  schemaFingerprint,
  type JsonFieldType,
  type ObservedSchema,
  type SchemaSnapshot,
} from './schema/schema-inference';
export { MetastoreSyncError } from './catalog.errors';
export { GLUE_PARTITION_BATCH, GlueSync } from './metastore/glue-sync';
export {
  HIVE_ARCHIVE_COLUMNS,
  HIVE_PARTITION_KEYS,
  PARQUET_FORMAT,
  streamLocationOf,
  tableNameOf,
  type MetastoreSync,
  type StreamTable,
  type TablePartition,
} from './metastore/metastore.types';
export { DrillViewSync, drillTypeOf, drillViewSql } from './metastore/drill-view-sync';
export { archiveHiveTableDdl, hiveTypeOf, kinesisHiveTableDdl } from './metastore/hive-ddl';
export { HiveMetastoreException, ThriftHiveMetastoreClient } from './metastore/hive-metastore-client';
export { HiveMetastoreSync } from './metastore/hive-metastore-sync';
export { ArchiveObjectInspector, type ArchiveObjectFacts } from './ingest/archive-object-inspector';
export { CatalogIngest, type CatalogIngestOptions, type IngestOutcome } from './ingest/catalog-ingest';
export { rebuildCatalog, type RebuildOptions, type RebuildReport } from './ingest/catalog-rebuild';
export { createMetastores } from './metastore/create-metastores';
