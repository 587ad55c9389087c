import { CatalogReader } from './catalog-reader';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';

const CORRUPT_OBJECTS = 'flux_catalog_corrupt_objects';
/** A scrape waits at most this long for the count; then it answers with the last one. */
const COUNT_WAIT_MS = 2_000;

/**
 * `flux_catalog_corrupt_objects{stream}`: archive objects the catalog found unreadable, counted at each scrape with
 * one indexed query. When Postgres fails or is slow the gauge keeps its last values, so `/metrics` (every other
 * metric with it) still answers during a database outage.
 */
@Injectable()
export class CatalogMetrics implements OnModuleInit {
  private readonly logger = new Logger(CatalogMetrics.name);
  /** the count in flight: a hung database gets one query, not one per scrape */
  private counting: Promise<Map<string, number>> | null = null;

  constructor(@Inject(CatalogReader) private readonly reader: CatalogReader) {}

  onModuleInit(): void {
    if (register.getSingleMetric(CORRUPT_OBJECTS)) register.removeSingleMetric(CORRUPT_OBJECTS);
    const count = () => this.count();
    new Gauge({
      name: CORRUPT_OBJECTS,
      help: 'Archive objects the catalog found to be unreadable Parquet (truncated or corrupt), per stream',
      labelNames: ['stream'],
      async collect() {
        const counts = await count();
        if (!counts) return;
        this.reset();
        for (const [stream, n] of counts) this.set({ stream }, n);
      },
    });
  }

  /** The current counts, or null (keep the last ones) when the database fails or does not answer in time. */
  private async count(): Promise<Map<string, number> | null> {
    this.counting ??= this.reader.corruptObjectCounts().finally(() => (this.counting = null));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<null>((resolve) => (timer = setTimeout(resolve, COUNT_WAIT_MS, null)));
    try {
      const counts = await Promise.race([this.counting, late]);
      if (!counts) this.logger.warn({ msg: 'corrupt object count is late; the gauge keeps its last values', waitedMs: COUNT_WAIT_MS });
      return counts;
    } catch (err) {
      this.logger.warn({ msg: 'corrupt object count failed; the gauge keeps its last values', error: (err as Error).message });
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
