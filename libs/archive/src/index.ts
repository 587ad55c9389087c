export {
  ArchiveObjectNotFoundError,
  FileArchiveStore,
  S3ArchiveStore,
  createArchiveStore,
  readAll,
  type ArchiveObjectInfo,
  type ArchiveStore,
  type S3ArchiveStoreOptions,
} from './archive-store';
export {
  archiveObjectKey,
  filePathOf,
  keyOfUri,
  objectUri,
  parseArchiveObjectKey,
  partitionOf,
  partitionPrefix,
  s3KeyOf,
  type ArchiveObjectName,
  type ArchivePartition,
} from './object-key';
export {
  ParquetBatch,
  ParquetEngine,
  readArchiveObject,
  type ParquetEngineOptions,
  type ParquetWriteResult,
} from './parquet';
