import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';
import { CatalogModule } from './catalog/catalog.module';

/** The catalog service: shared service plumbing plus its feature modules. */
@Module({
  imports: [
    FluxServiceModule.forRoot({ service: 'catalog', dependencies: ['postgres', 'sqs', 's3'] }),
    CatalogModule,
  ],
})
export class AppModule {}
