import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';
import { ArchivingModule } from './archiving/archiving.module';

/** The archiver service: shared service plumbing plus its feature modules. */
@Module({
  imports: [FluxServiceModule.forRoot({ service: 'archiver', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] }), ArchivingModule],
})
export class AppModule {}
