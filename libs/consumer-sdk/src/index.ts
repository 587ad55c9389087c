export { fromKclRecord, fromLambdaKinesisRecord, userRecordsOf, type ConsumedRecord, type GetRecordsRecord, type KclRecord, type LambdaKinesisRecord } from './consumed-record';
export {
  decodeRecordData,
  encodeReplayMarker,
  encodeReplayRecord,
  ENVELOPE_MAGIC,
  ENVELOPE_VERSION,
  EnvelopeError,
  isEnvelope,
  type DecodedData,
  type ReplayMarkerHeader,
  type ReplayRecordHeader,
} from './envelope';
export {
  decodeConsumedRecord,
  ReplayAwareConsumer,
  type Decision,
  type DecodedOrMarker,
  type DecodedRecord,
  type DecodeOptions,
  type ReplayAwareConsumerOptions,
} from './replay-aware-consumer';
export { compareVersions, type CompareContext, type RecordVersion } from './version';
export { MemoryVersionStore, PostgresVersionStore, type PostgresVersionStoreOptions, type StoredVersion, type VersionStore } from './version-store';
export {
  HttpWatermarkSource,
  StaticWatermarkSource,
  WatermarkError,
  type HttpWatermarkSourceOptions,
  type ReplayWatermarks,
  type WatermarkErrorCode,
  type WatermarkSource,
} from './watermarks';
