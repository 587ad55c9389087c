import 'reflect-metadata';
import { Queues } from '@flux-capacitor/contracts';
import { bootstrapService } from '@flux-capacitor/service-kit';
import { SqsServerFactory } from '@flux-capacitor/sqs-transport';
import { AppModule } from './app.module';
import { setupOpenApi } from './openapi';

void bootstrapService(AppModule, {
  service: 'replay-coordinator',
  configure: setupOpenApi,
  consumer: (app) => ({ strategy: app.get(SqsServerFactory).create(Queues.ReplayCoordinator) }),
});
