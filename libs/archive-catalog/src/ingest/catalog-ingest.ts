import { Logger } from '@nestjs/common';
import type { ArchiveStore } from '@flux-capacitor/archive';
import type { ArchiveObjectWritten, CatalogPartitionAdded } from '@flux-capacitor/contracts';
import type { EntityManager } from 'typeorm';
import { CatalogReader } from '../catalog-reader';
import type { CatalogWriter } from '../catalog-writer';
import { ArchiveObjectCorruptError, MetastoreSyncError } from '../catalog.errors';
import { streamLocationOf, tableNameOf, type MetastoreSync, type StreamTable, type TablePartition } from '../metastore/metastore.types';
import { metastoreMetrics } from '../metastore/metastore.metrics';
import type { ArchiveObjectInspector } from './archive-object-inspector';

export interface CatalogIngestOptions {
  writer: CatalogWriter;
  /** reads outside a transaction; inside one the ingest reads through the caller's EntityManager */
  reader: CatalogReader;
  store: ArchiveStore;
  inspector: ArchiveObjectInspector;
  metastores: MetastoreSync[];
  /** throw (so the message is retried) when a metastore sync fails, instead of logging and retrying later */
  strictMetastores: boolean;
  sampleRecords: number;
  publishPartitionAdded(payload: CatalogPartitionAdded, correlationId?: string): Promise<void>;
}

export interface IngestOutcome {
  objectAdded: boolean;
  partitionAdded: boolean;
  schemaVersion: number | null;
  schemaVersionAdded: boolean;
  /** the object is not readable Parquet and was marked corrupt */
  corrupt: boolean;
  /** partitions registered in the metastores by this call */
  partitionsSynced: number;
  metastoreErrors: MetastoreSyncError[];
}

/**
 * What the catalog does with an `archive.object.written` message: register the object (a duplicate changes
 * nothing), merge the schema of its records, bring the configured metastores up to date, and announce a new
 * partition with `catalog.partition.added`. With `manager` (the SQS inbox transaction) every catalog write
 * commits together with the message; a failure rolls all of it back and the message is redelivered.
 */
export class CatalogIngest {
  private readonly logger = new Logger(CatalogIngest.name);

  constructor(private readonly deps: CatalogIngestOptions) {}

  async objectWritten(payload: ArchiveObjectWritten, options: { manager?: EntityManager; correlationId?: string } = {}): Promise<IngestOutcome> {
    const { manager } = options;
    const reader = manager ? new CatalogReader(manager) : this.deps.reader;
    const registered = await this.deps.writer.registerObject(payload, manager);

    let schemaVersion: number | null = null;
    let schemaVersionAdded = false;
    let corrupt = false;
    if (await this.deps.writer.objectNeedsSchema(payload.objectUri, manager)) {
      const key = this.deps.store.keyOf(payload.objectUri);
      if (key === null) {
        this.logger.warn({ msg: 'object outside the configured archive; schema not inferred', uri: payload.objectUri });
      } else {
        const facts = await this.deps.inspector.inspect(this.deps.store, key, this.deps.sampleRecords).catch(async (err: unknown) => {
          if (!(err instanceof ArchiveObjectCorruptError)) throw err;
          // Retrying the message cannot help: keep the object, mark it, and let the message succeed. (Other errors,
          // out of memory or a full disk, fail the message and it is retried.)
          await this.deps.writer.markObjectCorrupt(payload.objectUri, err.reason, manager);
          this.logger.warn({ msg: 'archive object is not readable Parquet; marked corrupt', uri: payload.objectUri, reason: err.reason });
          corrupt = true;
          return undefined;
        });
        if (facts) await this.deps.writer.clearObjectCorrupt(payload.objectUri, manager);
        if (facts?.schema) {
          const r = await this.deps.writer.recordSchema(payload.stream, facts.schema, payload.objectUri, manager);
          schemaVersion = r.version;
          schemaVersionAdded = r.versionAdded;
        }
      }
    }

    const { synced, errors } = await this.syncMetastores(payload.stream, reader, schemaVersionAdded, manager);

    if (registered.partitionAdded) {
      await this.deps.publishPartitionAdded(registered.partition, options.correlationId);
    }
    return {
      objectAdded: registered.objectAdded,
      partitionAdded: registered.partitionAdded,
      schemaVersion,
      schemaVersionAdded,
      corrupt,
      partitionsSynced: synced,
      metastoreErrors: errors,
    };
  }

  /**
   * Registers the stream's pending partitions (and its table, re-created as a view when the schema changed) in
   * every metastore. Partitions are marked synced only when all metastores accepted them; otherwise the next
   * object of the stream retries (every call is idempotent).
   */
  async syncMetastores(
    stream: string,
    reader: CatalogReader = this.deps.reader,
    schemaChanged = false,
    manager?: EntityManager,
  ): Promise<{ synced: number; errors: MetastoreSyncError[] }> {
    if (this.deps.metastores.length === 0) return { synced: 0, errors: [] };
    const pending: TablePartition[] = await this.deps.writer.unsyncedPartitions(stream, manager);
    if (pending.length === 0 && !schemaChanged) return { synced: 0, errors: [] };
    const location = pending[0]?.location ?? (await reader.listPartitions(stream)).at(-1)?.location;
    if (!location) return { synced: 0, errors: [] };
    const table: StreamTable = {
      stream,
      tableName: tableNameOf(stream),
      location: streamLocationOf(location),
      schema: await reader.getSchema(stream),
    };
    const errors: MetastoreSyncError[] = [];
    metastoreMetrics.pending.set({ stream }, pending.length);
    for (const metastore of this.deps.metastores) {
      const started = performance.now();
      const observe = (outcome: 'ok' | 'error') => {
        metastoreMetrics.syncs.inc({ target: metastore.name, outcome });
        metastoreMetrics.duration.observe({ target: metastore.name, outcome }, (performance.now() - started) / 1000);
      };
      try {
        await metastore.ensureTable(table);
        if (pending.length > 0) await metastore.addPartitions(table, pending);
        observe('ok');
        metastoreMetrics.partitions.inc({ target: metastore.name }, pending.length);
        metastoreMetrics.lastSuccess.set({ target: metastore.name }, Date.now() / 1000);
      } catch (err) {
        observe('error');
        const e = err instanceof MetastoreSyncError ? err : new MetastoreSyncError(metastore.name, 'sync failed', { cause: err });
        errors.push(e);
        this.logger.warn({ msg: 'metastore sync failed; will retry', metastore: metastore.name, stream, error: e.message, cause: String((e.cause as Error | undefined)?.message ?? '') });
      }
    }
    if (errors.length > 0) {
      if (this.deps.strictMetastores) throw errors[0];
      return { synced: 0, errors };
    }
    await this.deps.writer.markPartitionsSynced(stream, pending, manager);
    metastoreMetrics.pending.set({ stream }, 0);
    return { synced: pending.length, errors };
  }
}
