import { CatalogIngest, CatalogReader, compactionMetrics, HourCompactor } from '@flux-capacitor/archive-catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/**
 * Runs a compaction pass over every catalogued stream each FLUX_CATALOG_COMPACT_INTERVAL_SECONDS (the first one
 * interval after start), syncs the partitions it moved to the metastores, then deletes the files of objects retired
 * longer than the grace. Replicas may run passes at the same time: the catalog swap lets one win each hour, and the
 * loser deletes its outputs.
 */
@Injectable()
export class CompactionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CompactionScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
    @Inject(CatalogReader) private readonly reader: CatalogReader,
    @Inject(HourCompactor) private readonly compactor: HourCompactor,
    @Inject(CatalogIngest) private readonly ingest: CatalogIngest,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.catalog.compaction.enabled) {
      this.logger.log({ msg: 'compaction is off', setting: 'FLUX_CATALOG_COMPACTION' });
      return;
    }
    // work folders of a compaction this service ran before it was killed (or a fluxcap run's, long dead)
    void this.compactor.sweepWorkFolders(3_600_000).catch((error: unknown) => this.logger.warn({ msg: 'compaction work folders not swept', error: (error as Error).message }));
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    // a pass stops after the hour it is rewriting
    this.stopping.abort();
    clearTimeout(this.timer);
    await this.running;
  }

  /** One pass now: every stream compacted, then retired objects past the grace deleted. */
  async runOnce(): Promise<void> {
    for (const { name } of await this.reader.listStreams()) {
      if (this.stopping.signal.aborted) return;
      try {
        const report = await this.compactor.compactStream(name, this.stopping.signal);
        if (report.failed > 0) compactionMetrics.failures.inc({ stream: name }, report.failed);
        if (report.written > 0) {
          compactionMetrics.objects.inc({ stream: name, kind: 'written' }, report.written);
          compactionMetrics.objects.inc({ stream: name, kind: 'replaced' }, report.replaced);
          // the moved partition locations, to Hive and Glue now (a failure is retried with the next object or pass)
          await this.ingest.syncMetastores(name);
        }
      } catch (error) {
        compactionMetrics.failures.inc({ stream: name });
        this.logger.error({ msg: 'compaction pass failed; retried next interval', stream: name, error: (error as Error).message });
      }
    }
    await this.compactor.deleteRetired();
  }

  private schedule(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error: unknown) => this.logger.error({ msg: 'compaction pass failed; retried next interval', error: (error as Error).message }))
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.config.catalog.compaction.intervalMs);
    this.timer.unref();
  }
}
