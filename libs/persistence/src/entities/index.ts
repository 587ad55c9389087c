import { CatalogObject, CatalogPartition, CatalogSchemaVersion, CatalogStream } from './catalog';
import { ArchiveIntent, ShardLease } from './archiver';
import { InboxMessage } from './inbox-message.entity';
import { Replay, ReplayAuditEvent, ReplayWatermark } from './replay';

export { InboxMessage };
export { ArchiveIntent, ShardLease } from './archiver';
export { Replay, ReplayAuditEvent, ReplayWatermark, type ReplayStateName } from './replay';
export {
  CatalogObject,
  CatalogPartition,
  CatalogSchemaVersion,
  CatalogStream,
  type CatalogSchemaField,
  type CatalogStreamFormat,
} from './catalog';

/** Every entity the data source knows. */
export const entities = [InboxMessage, CatalogStream, CatalogPartition, CatalogObject, CatalogSchemaVersion, ShardLease, ArchiveIntent, Replay, ReplayWatermark, ReplayAuditEvent];
