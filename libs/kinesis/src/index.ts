export { AbortedError, backoffDelay, retry, sleep } from './backoff';
export { StreamNotFoundError } from './kinesis.errors';
export { aggregate, deaggregate, KPL_MAGIC, type UserRecord } from './kpl-aggregation';
export { ShardReader, type ReadBatch, type ShardReaderOptions, type StartPosition } from './shard-reader';
export { hashKeyOf, isOpenShard, listShards, ShardRouter } from './shards';
export {
  KinesisWriter,
  type KinesisWriterOptions,
  type KinesisWriterStats,
  type WriteAck,
  type WriteRecord,
  type WriteRejection,
} from './kinesis-writer';
export { TokenBucket } from './token-bucket';
