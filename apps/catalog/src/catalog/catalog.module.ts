import { ArchiveObjectInspector, CatalogMetrics } from '@flux-capacitor/archive-catalog';
import { SqsMessagingModule } from '@flux-capacitor/sqs-transport';
import { Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import { ArchiveObjectWrittenHandler } from './archive-object-written.handler';
import { CatalogController } from './catalog.controller';
import { catalogProviders } from './catalog.providers';
import { CompactionScheduler } from './compaction.scheduler';

/** The catalog feature: the archive.object.written handler, the /v1/streams read API and compaction of closed hours. */
@Module({
  imports: [SqsMessagingModule.forRoot({ consumer: 'catalog' })],
  controllers: [CatalogController, ArchiveObjectWrittenHandler],
  providers: [...catalogProviders, CatalogMetrics, CompactionScheduler],
})
export class CatalogModule implements OnModuleDestroy {
  constructor(@Inject(ArchiveObjectInspector) private readonly inspector: ArchiveObjectInspector) {}

  onModuleDestroy(): void {
    this.inspector.close();
  }
}
