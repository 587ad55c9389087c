import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { Gauge, register } from 'prom-client';

const CORRUPT_OBJECTS = 'flux_catalog_corrupt_objects';

/** `flux_catalog_corrupt_objects{stream}`: archive objects the catalog found unreadable, read from Postgres at each scrape. */
@Injectable()
export class CatalogMetrics implements OnModuleInit {
  constructor(@Inject(CatalogReader) private readonly reader: CatalogReader) {}

  onModuleInit(): void {
    if (register.getSingleMetric(CORRUPT_OBJECTS)) register.removeSingleMetric(CORRUPT_OBJECTS);
    const reader = this.reader;
    new Gauge({
      name: CORRUPT_OBJECTS,
      help: 'Archive objects the catalog found to be unreadable Parquet (truncated or corrupt), per stream',
      labelNames: ['stream'],
      async collect() {
        this.reset();
        for (const s of await reader.listStreams()) this.set({ stream: s.name }, s.corruptObjectCount);
      },
    });
  }
}
