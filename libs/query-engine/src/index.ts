export { DuckDbEngine, mapDuckDbError, type DuckDbEngineOptions, type DuckDbRunOptions } from './duckdb-engine';
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
export type { QueryProgress, ResultColumn, ResultRow, ResultSet } from './result-set';
export { SqlAnalyzer, type SqlAnalysis, type TimeBounds } from './sql-analysis';
export { dedupeLive, partitionByOverlap, type ArchiveFile, type LiveRecord, type StreamSource } from './stream-source';
export { STREAM_COLUMNS, streamViewSql } from './stream-view';
export { syntheticSequenceNumber, writeSyntheticArchive, type SyntheticArchiveOptions, type SyntheticObject } from './synthetic-archive';
