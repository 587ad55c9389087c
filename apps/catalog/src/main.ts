import 'reflect-metadata';
import { Queues } from '@flux-capacitor/contracts';
import { bootstrapService } from '@flux-capacitor/service-kit';
import { SqsServerFactory } from '@flux-capacitor/sqs-transport';
import { AppModule } from './app.module';

void bootstrapService(AppModule, {
  service: 'catalog',
  consumer: (app) => ({ strategy: app.get(SqsServerFactory).create(Queues.Catalog) }),
});
