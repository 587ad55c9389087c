import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { SqsMessagingModule } from '@flux-capacitor/sqs-transport';
import { Module } from '@nestjs/common';

/** The replay-coordinator service: shared service plumbing plus its feature modules. */
@Module({
  imports: [
    FluxServiceModule.forRoot({ service: 'replay-coordinator', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] }),
    SqsMessagingModule.forRoot({ consumer: 'replay-coordinator' }),
  ],
})
export class AppModule {}
