export { ArchiveObjectNotFoundError, readAll, type ArchiveObjectInfo, type ArchiveStore } from './archive-store';
export { createArchiveStore } from './create-archive-store';
export { DrillClient, type DrillClientOptions, type DrillQueryRequest, type DrillQueryResponse, type DrillReply } from './drill-client';
export { FileArchiveStore } from './file-archive-store';
export {
  archiveObjectKey,
  compactedFolderKey,
  compactedObjectKey,
  multiShardObjectKey,
  parseArchiveObjectKey,
  parseObjectKey,
  partitionOf,
  type ArchiveObjectName,
  type ArchivePartition,
  type CompactedObjectName,
  type MultiShardObjectName,
  type ParsedObjectKey,
} from './object-key';
export {
  ARCHIVE_ROW_ORDER,
  ParquetBatch,
  writeArchiveFile,
  archiveFieldColumns,
  archiveKvMetadataSql,
  archiveRowGroupRows,
  archiveRowsSql,
  ParquetEngine,
  readArchiveObject,
  type ArchiveCopyOptions,
  type ParquetEngineOptions,
  type ParquetWriteResult,
} from './parquet';
export { base64Bytes, PageSpool, type SpoolRecord } from './page-spool';
export { S3ArchiveStore, type S3ArchiveStoreOptions } from './s3-archive-store';
