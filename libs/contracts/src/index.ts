export { ARCHIVE_COLUMNS, compareSequenceNumbers, type ArchiveRecord } from './archive-record';
export { envelopeSchema, type Envelope } from './envelope';
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
