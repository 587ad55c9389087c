export { createQueryJobs, createQueryService } from './create-query-service';
export { DrillEngine, drillError, type DrillEngineOptions, type DrillRunOptions } from './drill-engine';
export {
  ArchiveObjectUnreadableError,
  QueryCancelledError,
  QueryEngineUnavailableError,
  QueryInvalidError,
  QueryNotFoundError,
  QueryNotReadyError,
  QueryOverloadedError,
  QueryRejectedError,
  QuerySyntaxError,
  QueryTimeoutError,
} from './query.errors';
export { writeCsv, writeNdjson } from './result-writers';
export type { LiveTailReader, QueryCatalog } from './query-planner';
export {
  ANONYMOUS_OWNER,
  QueryService,
  type QueryEngineName,
  type QueryRequest,
  type QueryServiceDeps,
  type QueryServiceLimits,
  type QueryState,
  type QueryStatus,
} from './query-service';
export type { JobCursor } from './query-job.repository';
export { QueryJobs, decodeJobCursor, type QueryHistoryItem } from './query-jobs';
export type { ResultSet } from './result-set';
export { RESULTS_PREFIX } from './stored-result';
export { sqlIdentifier, sqlString } from './sql-text';
export { StreamTail, STREAM_TAIL_DEFAULTS, type StreamTailOptions, type TailPage, type TailRecord, type TailStart } from './stream-tail';
export { MAX_TIME_MS as TAIL_MAX_TIME_MS } from './tail-cursor';
export { queryMetrics } from './query.metrics';
export { STREAM_COLUMNS, TYPED_PREFIX, typedColumns } from './stream-view';
