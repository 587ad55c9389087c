import { Counter, Gauge, Histogram, register } from 'prom-client';

function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Query metrics on prom-client's default registry (what the gateway's `/metrics` serves). `engine` is duckdb or
 * drill; `outcome` the query's final state (succeeded, failed, cancelled).
 */
export const queryMetrics = {
  queries: once(
    'flux_query_queries_total',
    () => new Counter({ name: 'flux_query_queries_total', help: 'Queries that finished, by engine and outcome', labelNames: ['engine', 'outcome'] }),
  ),
  duration: once(
    'flux_query_duration_seconds',
    () =>
      new Histogram({
        name: 'flux_query_duration_seconds',
        help: 'Run time of a query from leaving the admission queue to its end (the wait in the queue excluded)',
        labelNames: ['engine', 'outcome'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      }),
  ),
  bytesScanned: once(
    'flux_query_scanned_bytes_total',
    () => new Counter({ name: 'flux_query_scanned_bytes_total', help: 'Bytes of archive objects planned for scanning by finished queries', labelNames: ['engine'] }),
  ),
  rowsScanned: once(
    'flux_query_scanned_rows_total',
    () => new Counter({ name: 'flux_query_scanned_rows_total', help: 'Rows scanned by finished queries (as DuckDB reports progress)', labelNames: ['engine'] }),
  ),
  rejections: once(
    'flux_query_admission_rejections_total',
    () => new Counter({ name: 'flux_query_admission_rejections_total', help: 'Queries refused at submission because the admission queue (or the token\'s share of it) was full' }),
  ),
  queued: once('flux_query_admission_queued', () => new Gauge({ name: 'flux_query_admission_queued', help: 'Queries waiting in the admission queue' })),
  running: once('flux_query_admission_running', () => new Gauge({ name: 'flux_query_admission_running', help: 'Queries holding a run slot' })),
};
