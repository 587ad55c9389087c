export { Archiver, type ArchiveRunSummary } from './archiver';
export { ArchiveRunError, IntentRecoveryError, LeaseLostError } from './archiver.errors';
export { ArchiveStatusReader, isAtRisk, type ShardArchiveStatus, type StreamArchiveStatus, type StreamArchiveSummary } from './status/archive-status.reader';
export { ArchiverMetrics } from './archiver.metrics';
