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
