export { Archiver, type ArchiveRunSummary, type ArchiverDependencies, type ArchiverHealth } from './archiver';
export { ArchiveRunError, IntentRecoveryError, LeaseLostError } from './archiver.errors';
export { ArchiverMetrics } from './archiver.metrics';
export {
  LeaseRepository,
  readableShards,
  type HeldLease,
  type ShardDescription,
  type ShardLeaseRow,
  type WriteIntent,
} from './lease/lease.repository';
export { ShardConsumer, type ArchiveEventPublisher, type ShardRunResult, type ShardStatus } from './shard/shard-consumer';
