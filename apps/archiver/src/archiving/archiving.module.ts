import { Module } from '@nestjs/common';
import { ArchivingService } from './archiving.service';

/** The archiving feature: leases shards of FLUX_ARCHIVER_STREAMS and archives them continuously. */
@Module({ providers: [ArchivingService] })
export class ArchivingModule {}
