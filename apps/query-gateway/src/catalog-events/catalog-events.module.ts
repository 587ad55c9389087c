import { SqsMessagingModule } from '@flux-capacitor/sqs-transport';
import { Module } from '@nestjs/common';
import { QueryModule } from '../query/query.module';
import { PartitionAddedHandler } from './partition-added.handler';

/** What the gateway does with the catalog's announcements (its SQS queue). */
@Module({
  imports: [QueryModule, SqsMessagingModule.forRoot({ consumer: 'query-gateway' })],
  controllers: [PartitionAddedHandler],
})
export class CatalogEventsModule {}
