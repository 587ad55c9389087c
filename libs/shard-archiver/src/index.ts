export { Archiver, type ArchiveRunSummary } from './archiver';
export { ArchiveRunError, IntentRecoveryError, LeaseLostError } from './archiver.errors';
