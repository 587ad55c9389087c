import { Counter, Gauge, register, type Registry } from 'prom-client';

const labelNames = ['stream', 'shard'] as const;

function counter(registry: Registry, name: string, help: string): Counter<(typeof labelNames)[number]> {
  return (registry.getSingleMetric(name) as Counter<(typeof labelNames)[number]>) ?? new Counter({ name, help, labelNames, registers: [registry] });
}
function streamCounter(registry: Registry, name: string, help: string): Counter<'stream'> {
  return (registry.getSingleMetric(name) as Counter<'stream'>) ?? new Counter({ name, help, labelNames: ['stream'], registers: [registry] });
}
function plainGauge(registry: Registry, name: string, help: string): Gauge {
  return (registry.getSingleMetric(name) as Gauge) ?? new Gauge({ name, help, registers: [registry] });
}
function plainCounter(registry: Registry, name: string, help: string): Counter {
  return (registry.getSingleMetric(name) as Counter) ?? new Counter({ name, help, registers: [registry] });
}
function gauge(registry: Registry, name: string, help: string): Gauge<(typeof labelNames)[number]> {
  return (registry.getSingleMetric(name) as Gauge<(typeof labelNames)[number]>) ?? new Gauge({ name, help, labelNames, registers: [registry] });
}

/** Archiver metrics (per shard, per stream, per instance), on the process-wide registry that /metrics exposes. */
export class ArchiverMetrics {
  readonly records: Counter<'stream' | 'shard'>;
  readonly bytes: Counter<'stream' | 'shard'>;
  readonly objects: Counter<'stream'>;
  readonly objectBytes: Counter<'stream'>;
  readonly memoryUsed: Gauge;
  readonly memoryBudget: Gauge;
  readonly memoryWaits: Counter;
  readonly spoolUsed: Gauge;
  readonly spoolBudget: Gauge;
  readonly spoolWaits: Counter;
  readonly throttles: Counter<'stream' | 'shard'>;
  readonly lastArrival: Gauge<'stream' | 'shard'>;
  readonly behindLatest: Gauge<'stream' | 'shard'>;
  readonly oldestUnarchivedAge: Gauge<'stream' | 'shard'>;
  readonly handoffsAsked: Counter<'stream'>;
  readonly handoffsGiven: Counter<'stream'>;
  readonly fieldSchemaFailures: Counter<'stream'>;

  constructor(registry: Registry = register) {
    this.records = counter(registry, 'flux_archiver_records_archived_total', 'User records written to durable archive objects');
    this.bytes = counter(registry, 'flux_archiver_archived_bytes_total', 'Record data bytes written to durable archive objects');
    // Per stream: an object holds the records of several shards.
    this.objects = streamCounter(registry, 'flux_archiver_objects_written_total', 'Archive objects written and committed');
    this.objectBytes = streamCounter(registry, 'flux_archiver_object_bytes_total', 'Bytes of archive objects written and committed (Parquet)');
    this.memoryUsed = plainGauge(registry, 'flux_archiver_memory_used_bytes', 'Bytes of GetRecords pages held in memory now (reserved before each call)');
    this.memoryBudget = plainGauge(registry, 'flux_archiver_memory_budget_bytes', 'Bytes of GetRecords pages the instance may hold: FLUX_ARCHIVER_MEMORY_MIB less what the process and DuckDB need');
    this.memoryWaits = plainCounter(registry, 'flux_archiver_memory_waits_total', 'Reads that waited for room in the memory budget');
    this.spoolUsed = plainGauge(registry, 'flux_archiver_spool_used_bytes', 'Bytes of records read and not yet in a written object, waiting on disk now');
    this.spoolBudget = plainGauge(registry, 'flux_archiver_spool_budget_bytes', 'Bytes of records the instance may keep on disk unwritten (FLUX_ARCHIVER_SPOOL_MIB)');
    this.spoolWaits = plainCounter(registry, 'flux_archiver_spool_waits_total', 'Reads that waited for room in the spool budget (a write to free it)');
    this.throttles = counter(registry, 'flux_archiver_throttled_total', 'GetRecords calls refused with ProvisionedThroughputExceeded');
    // No gauge for the checkpoint itself: a sequence number has about 56 digits and a gauge holds a double. The
    // exact checkpoint is on /health and in the lease table; the arrival time below says how far the archive reaches.
    this.lastArrival = gauge(registry, 'flux_archiver_last_archived_arrival_timestamp_seconds', 'Arrival time (Unix seconds) of the last archived record');
    this.behindLatest = gauge(registry, 'flux_archiver_behind_latest_seconds', "Kinesis' MillisBehindLatest of the last GetRecords call, in seconds");
    this.oldestUnarchivedAge = gauge(
      registry,
      'flux_archiver_oldest_unarchived_age_seconds',
      'Age of the oldest record read or readable but not yet in a durable object',
    );
    // Rebalancing: leases this instance asked a busier one for, and leases it handed over on request.
    this.handoffsAsked = streamCounter(registry, 'flux_archiver_lease_handoffs_asked_total', 'Live leases this instance asked a busier instance to hand over');
    this.handoffsGiven = streamCounter(registry, 'flux_archiver_lease_handoffs_given_total', 'Leases this instance handed over on request (rows written, checkpoint committed, lease released)');
    this.fieldSchemaFailures = streamCounter(
      registry,
      'flux_archiver_field_schema_failures_total',
      "Reads of a stream's catalog schema (to choose its field columns) that failed; objects were written with the previous choice",
    );
  }
}
