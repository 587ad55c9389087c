import 'reflect-metadata';
import { bootstrapService } from '@flux-capacitor/service-kit';
import { AppModule } from './app.module';

void bootstrapService(AppModule, { service: 'catalog' });
