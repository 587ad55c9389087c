import { CatalogIngest } from '@flux-capacitor/archive-catalog';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { SqsContext } from '@flux-capacitor/sqs-transport';
import { Controller, Logger } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';

/**
 * Handles `archive.object.written` from the catalog queue. Runs inside the SQS inbox transaction: the catalog
 * changes commit with the message, a duplicate delivery is skipped by the inbox, and a repeated announcement of
 * the same object (a new message id) changes nothing.
 */
@Controller()
export class ArchiveObjectWrittenHandler {
  private readonly logger = new Logger(ArchiveObjectWrittenHandler.name);

  constructor(private readonly ingest: CatalogIngest) {}

  @EventPattern<string>('archive.object.written')
  async handle(@Payload() payload: ArchiveObjectWritten, @Ctx() ctx: SqsContext): Promise<void> {
    const outcome = await this.ingest.objectWritten(payload, { manager: ctx.entityManager, correlationId: ctx.correlationId });
    this.logger.log({
      msg: 'archive object handled',
      stream: payload.stream,
      uri: payload.objectUri,
      records: payload.recordCount,
      objectAdded: outcome.objectAdded,
      partitionAdded: outcome.partitionAdded,
      schemaVersion: outcome.schemaVersion,
      corrupt: outcome.corrupt,
      metastoreErrors: outcome.metastoreErrors.length,
      correlationId: ctx.correlationId,
    });
  }
}
