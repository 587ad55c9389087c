export { Archiver, type ArchiveRunSummary, type ArchiverDependencies, type ArchiverHealth } from './archiver';
export {
  ArchiveRunError,
  ArchiverError,
  IntentRecoveryError,
  LeaseLostError,
  StreamNotFoundError,
} from './archiver.errors';
export { ArchiverMetrics } from './archiver.metrics';
export { backoffDelay, retry, sleep } from './backoff';
export { aggregate, deaggregate, KPL_MAGIC, type UserRecord } from './kpl/kpl-aggregation';
export {
  LeaseRepository,
  readableShards,
  type HeldLease,
  type ShardDescription,
  type ShardLeaseRow,
  type WriteIntent,
} from './lease/lease.repository';
export { ShardConsumer, type ArchiveEventPublisher, type ShardRunResult, type ShardStatus } from './shard/shard-consumer';
export { ShardReader, type ReadBatch, type StartPosition } from './shard/shard-reader';
