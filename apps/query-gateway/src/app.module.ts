import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';
import { CatalogEventsModule } from './catalog-events/catalog-events.module';
import { ConsoleModule } from './console/console.module';
import { PgWireModule } from './pg-wire/pg-wire.module';
import { QueryModule } from './query/query.module';
import { TailModule } from './tail/tail.module';

/** The query-gateway service: shared service plumbing plus its feature modules. */
@Module({
  imports: [
    FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] }),
    QueryModule,
    TailModule,
    CatalogEventsModule,
    ConsoleModule,
    PgWireModule,
  ],
})
export class AppModule {}
