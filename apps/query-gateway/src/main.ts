import 'reflect-metadata';
import { Queues } from '@flux-capacitor/contracts';
import { bootstrapService } from '@flux-capacitor/service-kit';
import { SqsServerFactory } from '@flux-capacitor/sqs-transport';
import { AppModule } from './app.module';
import { serveConsole } from './console/serve-console';
import { setupOpenApi } from './openapi';
import type { NestExpressApplication } from '@nestjs/platform-express';

void bootstrapService(AppModule, {
  service: 'query-gateway',
  configure: (app) => {
    setupOpenApi(app);
    serveConsole(app as NestExpressApplication);
  },
  consumer: (app) => ({ strategy: app.get(SqsServerFactory).create(Queues.QueryGateway) }),
});
