export { AbortedError, retry, sleep } from './backoff';
export { StreamNotFoundError } from './kinesis.errors';
export { aggregate, deaggregate } from './kpl-aggregation';
export { ShardReader, type StartPosition } from './shard-reader';
export { listShards } from './shards';
export { KinesisWriter, type WriteAck, type WriteRecord, type WriteRejection } from './kinesis-writer';
