import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';
import { ReplayModule } from './replay/replay.module';

/** The replay-coordinator service: shared service plumbing plus its feature modules. */
@Module({
  imports: [FluxServiceModule.forRoot({ service: 'replay-coordinator', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] }), ReplayModule],
})
export class AppModule {}
