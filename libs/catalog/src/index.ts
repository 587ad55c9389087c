export { CatalogReader } from './catalog-reader';
export { CatalogWriter, partitionLocationOf, partitionStart } from './catalog-writer';
export type {
  CatalogObjectInfo,
  PartitionInfo,
  RegisterObjectResult,
  StreamSchema,
  StreamSummary,
  TimeRange,
} from './catalog.types';
