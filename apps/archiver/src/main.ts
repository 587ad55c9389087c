import 'reflect-metadata';
import { bootstrapService } from '@flux-capacitor/service-kit';
import { AppModule } from './app.module';
import { setupOpenApi } from './openapi';

void bootstrapService(AppModule, { service: 'archiver', configure: setupOpenApi });
