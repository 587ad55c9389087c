import { Counter } from 'prom-client';
import { once } from '../metastore/metastore.metrics';

/** Compaction of closed hours, on prom-client's default registry (the catalog's `/metrics`). */
export const compactionMetrics = {
  objects: once(
    'flux_catalog_compacted_objects_total',
    () =>
      new Counter({
        name: 'flux_catalog_compacted_objects_total',
        help: 'Archive objects compaction wrote (kind=written) and the objects they replaced (kind=replaced), per stream',
        labelNames: ['stream', 'kind'],
      }),
  ),
  failures: once(
    'flux_catalog_compaction_failures_total',
    () => new Counter({ name: 'flux_catalog_compaction_failures_total', help: 'Hours of a stream whose compaction failed, and passes over it that failed (retried the next pass)', labelNames: ['stream'] }),
  ),
};
