export { ArchiveObjectCache, type PinnedObjects } from './archive-object-cache';
export { createQueryService, type QueryServiceWiring } from './create-query-service';
export { DrillEngine, drillError, type DrillEngineOptions, type DrillRunOptions } from './drill-engine';
export { DuckDbEngine, mapDuckDbError, type DuckDbEngineOptions, type DuckDbRunOptions, type DuckDbSession, type DuckDbSessionOptions } from './duckdb-engine';
export { KinesisLiveTail, userRecords, type LiveTailOptions, type LiveTailResult } from './live-tail';
export {
  QueryCancelledError,
  QueryEngineUnavailableError,
  QueryError,
  QueryInvalidError,
  QueryNotFoundError,
  QueryNotReadyError,
  QueryRejectedError,
  QuerySyntaxError,
  QueryTimeoutError,
  type QueryErrorKind,
} from './query.errors';
export { writeCsv, writeNdjson } from './result-writers';
export {
  QueryService,
  type LiveTailReader,
  type QueryCatalog,
  type QueryEngineName,
  type QueryRequest,
  type QueryServiceDeps,
  type QueryServiceLimits,
  type QueryState,
  type QueryStatus,
} from './query-service';
export type { QueryProgress, ResultColumn, ResultRow, ResultSet } from './result-set';
export { SqlAnalyzer, type SqlAnalysis, type TimeBounds } from './sql-analysis';
export { dedupeLive, partitionByOverlap, type ArchiveFile, type LiveRecord, type StreamSource } from './stream-source';
export { sqlIdentifier, sqlString } from './sql-text';
export { STREAM_COLUMNS, streamViewSql } from './stream-view';
export { announcementOf, syntheticSequenceNumber, writeSyntheticArchive, type SyntheticArchiveOptions, type SyntheticObject } from './synthetic-archive';
