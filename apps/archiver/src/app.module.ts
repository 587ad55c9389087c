import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { Module } from '@nestjs/common';
import { ArchivingModule } from './archiving/archiving.module';
import { ArchiveStatusModule } from './status/archive-status.module';

/** The archiver service: shared service plumbing plus its feature modules. */
@Module({
  imports: [FluxServiceModule.forRoot({ service: 'archiver', dependencies: ['postgres', 'sqs', 's3', 'kinesis'] }), ArchivingModule, ArchiveStatusModule],
})
export class AppModule {}
