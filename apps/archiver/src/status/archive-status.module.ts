import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { ArchiveStatusReader } from '@flux-capacitor/shard-archiver';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArchiveStatusController } from './archive-status.controller';

/** The archiver's read API: every shard's archiving status, from Postgres. */
@Module({
  controllers: [ArchiveStatusController],
  providers: [
    {
      provide: ArchiveStatusReader,
      inject: [DataSource, FLUX_CONFIG],
      useFactory: (ds: DataSource, config: FluxConfig) => new ArchiveStatusReader(ds, config.archiver.leaseHeartbeatMs),
    },
  ],
})
export class ArchiveStatusModule {}
