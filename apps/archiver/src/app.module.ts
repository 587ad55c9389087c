import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';

/** The archiver service: shared service plumbing plus its feature modules. */
@Module({
  imports: [FluxServiceModule.forRoot({ service: 'archiver', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] })],
})
export class AppModule {}
