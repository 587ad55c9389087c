export {
  ARCHIVE_COLUMNS,
  ARCHIVE_KV_METADATA,
  ARCHIVE_LAYOUT,
  ARCHIVE_LAYOUTS,
  ARCHIVE_RECORD_SQL,
  ARCHIVE_ROW_ORDERS,
  compareSequenceNumbers,
  type ArchiveLayout,
  type ArchiveRowOrder,
  type ArchiveRecord,
} from './archive-record';
export { envelopeSchema, type Envelope } from './envelope';
export { ERROR_KINDS, FluxError, describeZodIssues, invalidInput, isFluxError, isNetworkFailure, type ErrorKind, type FluxErrorOptions } from './errors';
export {
  MessageContracts,
  Queues,
  archiveObjectWrittenV1,
  archiveObjectWrittenV2,
  objectShardRange,
  upgradeArchiveObjectWritten,
  isMessageType,
  messageTypesForQueue,
  type ArchiveObjectWritten,
  type CatalogPartitionAdded,
  type MessagePayload,
  type ObjectShardRange,
  type MessageType,
  type QueueName,
  type ReplayLifecycle,
} from './messages';
export { STREAM_NAME_PATTERN, streamNameSchema } from './stream-name';
export { ANONYMOUS_OWNER } from './caller';
export { CLOUDWATCH_NAMESPACE, CloudWatchMetrics, type CloudWatchMetric } from './cloudwatch-metrics';
export {
  DEFAULT_MAX_FIELD_COLUMNS,
  MAX_FIELD_COLUMN_MEAN_BYTES,
  archiveFieldColumn,
  fieldColumnNames,
  fieldJsonPath,
  fieldValueSql,
  isFieldKey,
  isLongText,
  selectFieldColumns,
  type ArchiveFieldColumn,
  type FieldColumnChoice,
  type FieldColumnType,
  type SchemaFieldLike,
  type SelectFieldColumnsOptions,
} from './field-columns';
