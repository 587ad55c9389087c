import { CatalogObject, CatalogObjectShard, CatalogPartition, CatalogSchemaVersion, CatalogStream } from './catalog';
import { ArchiveIntent, ShardLease } from './archiver';
import { InboxMessage } from './inbox-message.entity';
import { QueryJob } from './query';
import { Replay, ReplayAuditEvent, ReplayWatermark } from './replay';

export { InboxMessage };
export { ArchiveIntent, ShardLease } from './archiver';
export { QueryJob, type QueryJobStateName } from './query';
export { Replay, ReplayAuditEvent, ReplayWatermark, type ReplayStateName } from './replay';
export {
  CatalogObject,
  CatalogObjectShard,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  type CatalogSchemaField,
  type CatalogStringLengths,
  type CatalogStreamFormat,
} from './catalog';

/**
 * Every entity the data source knows. The entities are the schema as code: one typed class per table with its
 * keys, indexes and constraints, for readers and for TypeORM. The migrations create the schema (`synchronize`
 * is off) and the repositories query it in SQL; `test/integration/entities.spec.ts` fails when the two drift.
 */
export const entities = [InboxMessage, CatalogStream, CatalogPartition, CatalogObject, CatalogObjectShard, CatalogSchemaVersion, ShardLease, ArchiveIntent, Replay, ReplayWatermark, ReplayAuditEvent, QueryJob];
