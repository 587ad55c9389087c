export { AbortedError, retry, sleep } from './backoff';
export { StreamNotFoundError } from './kinesis.errors';
export { aggregate, deaggregate, KPL_MAGIC_BASE64_PREFIX } from './kpl-aggregation';
export { ShardReader, type ReadBatch, type StartPosition } from './shard-reader';
export { WireShardReader, wireArrivalMs, type WireBatch } from './wire-shard-reader';
export { scanGetRecords, wireDataBytes, wireDataStartsWith, wireRecordsText, type WireRecord } from './get-records-body';
export { listShards } from './shards';
export { KinesisWriter, type WriteAck, type WriteRecord, type WriteRejection } from './kinesis-writer';
