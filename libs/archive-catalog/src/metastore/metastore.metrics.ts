import { Counter, Gauge, Histogram, register } from 'prom-client';

/** The metric registered under `name`, made once: modules loaded twice (tests, bundles) share it. */
export function once<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/**
 * Metastore sync metrics on prom-client's default registry (the catalog's `/metrics`). `target` is the metastore
 * (hive, glue, drill); `outcome` ok or error. Lag is `time() - flux_catalog_metastore_last_success_timestamp_seconds`
 * while `flux_catalog_metastore_pending_partitions` is above zero.
 */
export const metastoreMetrics = {
  syncs: once(
    'flux_catalog_metastore_syncs_total',
    () => new Counter({ name: 'flux_catalog_metastore_syncs_total', help: 'Metastore syncs of one stream (table and pending partitions), by target and outcome', labelNames: ['target', 'outcome'] }),
  ),
  duration: once(
    'flux_catalog_metastore_sync_duration_seconds',
    () =>
      new Histogram({
        name: 'flux_catalog_metastore_sync_duration_seconds',
        help: 'Time one metastore sync of one stream took',
        labelNames: ['target', 'outcome'],
        buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      }),
  ),
  partitions: once(
    'flux_catalog_metastore_partitions_synced_total',
    () => new Counter({ name: 'flux_catalog_metastore_partitions_synced_total', help: 'Partitions registered in a metastore', labelNames: ['target'] }),
  ),
  lastSuccess: once(
    'flux_catalog_metastore_last_success_timestamp_seconds',
    () => new Gauge({ name: 'flux_catalog_metastore_last_success_timestamp_seconds', help: 'Time (Unix seconds) of the last successful metastore sync', labelNames: ['target'] }),
  ),
  pending: once(
    'flux_catalog_metastore_pending_partitions',
    () => new Gauge({ name: 'flux_catalog_metastore_pending_partitions', help: 'Partitions of the stream last synced that no metastore has yet accepted (0 after a full success)', labelNames: ['stream'] }),
  ),
};
