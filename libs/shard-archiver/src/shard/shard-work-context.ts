import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ArchiveStore, ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiverConfig } from '@flux-capacitor/config';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import type { ArchiverMetrics } from '../archiver.metrics';
import type { LeaseRepository } from '../lease/lease.repository';
import type { ByteBudget } from '../budget/byte-budget';
import type { FieldColumnChoices } from '../object/field-column-choice';

/** Where `archive.object.written` goes: SqsPublisher in the services, a fake in unit tests. */
export interface ArchiveEventPublisher {
  publish(type: 'archive.object.written', payload: ArchiveObjectWritten): Promise<unknown>;
}

/** What one archiver instance shares between its stream writers and shard consumers. */
export interface ShardWorkContext {
  kinesis: KinesisClient;
  store: ArchiveStore;
  engine: ParquetEngine;
  leases: LeaseRepository;
  publisher: ArchiveEventPublisher;
  metrics: ArchiverMetrics;
  settings: ArchiverConfig;
  tempDir: string;
  /** Memory for GetRecords pages: reserved before a call, given back once the page is in its spool file. */
  memory: ByteBudget;
  /** Disk for buffered rows: counted when a page is buffered, given back when its object is written. */
  spool: ByteBudget;
  /** Each stream's field columns (issue 13), from its catalog schema. */
  fieldColumns: FieldColumnChoices;
  /** Aborted once the stop grace period is over: in-flight writes are abandoned (their intents are recovered later). */
  hardSignal: AbortSignal;
}
