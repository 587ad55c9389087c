export { Archiver, type ArchiveRunSummary } from './archiver';
export { ArchiveRunError, ArchiverError, IntentRecoveryError, LeaseLostError } from './archiver.errors';
