import { ArchiveStatusReader } from '@flux-capacitor/shard-archiver';
import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArchiveStatusController } from './archive-status.controller';

/** The archiver's read API: every shard's archiving status, from Postgres. */
@Module({
  controllers: [ArchiveStatusController],
  providers: [{ provide: ArchiveStatusReader, inject: [DataSource], useFactory: (ds: DataSource) => new ArchiveStatusReader(ds) }],
})
export class ArchiveStatusModule {}
