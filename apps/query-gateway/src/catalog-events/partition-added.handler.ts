import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import type { CatalogPartitionAdded } from '@flux-capacitor/contracts';
import { QueryService } from '@flux-capacitor/query-engine';
import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';

/**
 * A new hour of archive exists: fetch its objects into the gateway's cache now, so the first query over fresh data
 * reads local files instead of waiting on S3. The cache's bound still applies (least recently used go first).
 */
@Controller()
export class PartitionAddedHandler {
  private readonly logger = new Logger(PartitionAddedHandler.name);

  constructor(
    @Inject(QueryService) private readonly queries: QueryService,
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
  ) {}

  @EventPattern('catalog.partition.added')
  async onPartitionAdded(@Payload() partition: CatalogPartitionAdded): Promise<void> {
    if (!this.config.query.prefetch) return;
    const from = new Date(`${partition.dt}T${String(partition.hour).padStart(2, '0')}:00:00.000Z`);
    const to = new Date(from.getTime() + 3_600_000 - 1);
    const started = Date.now();
    const fetched = await this.queries.prefetch(partition.stream, { from, to });
    this.logger.log({ msg: 'partition prefetched', stream: partition.stream, dt: partition.dt, hour: partition.hour, fetched, ms: Date.now() - started });
  }
}
