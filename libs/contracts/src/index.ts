export { ARCHIVE_COLUMNS, compareSequenceNumbers, type ArchiveRecord } from './archive-record';
export { envelopeSchema, type Envelope } from './envelope';
export { ERROR_KINDS, FluxError, describeZodIssues, invalidInput, isFluxError, type ErrorKind, type FluxErrorOptions } from './errors';
export {
  MessageContracts,
  Queues,
  archiveObjectWrittenV1,
  isMessageType,
  messageTypesForQueue,
  type ArchiveObjectWritten,
  type CatalogPartitionAdded,
  type MessagePayload,
  type MessageType,
  type QueueName,
  type ReplayLifecycle,
} from './messages';
