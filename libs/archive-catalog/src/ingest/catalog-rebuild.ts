import { Logger } from '@nestjs/common';
import { parseArchiveObjectKey, type ArchiveStore } from '@flux-capacitor/archive';
import { upgradeArchiveObjectWritten, type ArchiveObjectWritten } from '@flux-capacitor/contracts';
import type { CatalogReader } from '../catalog-reader';
import type { CatalogWriter } from '../catalog-writer';
import type { ArchiveObjectInspector } from './archive-object-inspector';
import type { CatalogIngest } from './catalog-ingest';

export interface RebuildOptions {
  writer: CatalogWriter;
  reader: CatalogReader;
  store: ArchiveStore;
  inspector: ArchiveObjectInspector;
  sampleRecords: number;
  /** brings the metastores up to date afterwards, when given */
  ingest?: CatalogIngest;
  onProgress?(event: { key: string; action: 'added' | 'kept' | 'skipped' }): void;
}

export interface RebuildReport {
  stream: string;
  /** archive objects found under the stream's folder */
  listed: number;
  added: number;
  /** already in the catalog */
  kept: number;
  /** catalogued objects the archive no longer has, removed from the catalog */
  removed: number;
  /** keys that are not archive objects of this stream, or empty objects */
  skipped: number;
  partitionsAdded: number;
  schemaVersion: number | null;
}

/**
 * Rebuilds a stream's catalog from the archive itself (the catalog is derived state): lists the stream's objects,
 * reads each key's shard, sequence range and partition from its name and the record count and arrival-time range
 * from the Parquet, registers what is missing, infers the schema, and forgets objects the archive no longer has.
 * Idempotent; safe to run while the catalog service is running.
 */
export async function rebuildCatalog(stream: string, options: RebuildOptions): Promise<RebuildReport> {
  const logger = new Logger('CatalogRebuild');
  const report: RebuildReport = { stream, listed: 0, added: 0, kept: 0, removed: 0, skipped: 0, partitionsAdded: 0, schemaVersion: null };
  const catalogued = new Set((await options.reader.listObjects(stream)).map((x) => x.uri));
  const seen = new Set<string>();

  for await (const info of options.store.list(`${stream}/`)) {
    const name = parseArchiveObjectKey(info.key);
    if (!name || name.stream !== stream) {
      report.skipped++;
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    report.listed++;
    const uri = options.store.uri(info.key);
    seen.add(uri);
    const known = catalogued.has(uri);
    if (known && !(await options.writer.objectNeedsSchema(uri))) {
      report.kept++;
      options.onProgress?.({ key: info.key, action: 'kept' });
      continue;
    }
    const facts = await options.inspector.inspect(options.store, info.key, options.sampleRecords);
    if (facts.recordCount === 0 || facts.firstArrivalTime === null || facts.lastArrivalTime === null) {
      report.skipped++;
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    if (!known) {
      const payload: ArchiveObjectWritten = upgradeArchiveObjectWritten({
        objectUri: uri,
        stream,
        shardId: name.shardId,
        firstSequenceNumber: name.firstSequenceNumber,
        lastSequenceNumber: name.lastSequenceNumber,
        firstArrivalTime: new Date(facts.firstArrivalTime).toISOString(),
        lastArrivalTime: new Date(facts.lastArrivalTime).toISOString(),
        dt: name.dt,
        hour: name.hour,
        recordCount: facts.recordCount,
        bytes: facts.bytes || info.size,
      });
      const r = await options.writer.registerObject(payload);
      if (r.objectAdded) report.added++;
      if (r.partitionAdded) report.partitionsAdded++;
    } else {
      report.kept++;
    }
    if (facts.schema) report.schemaVersion = (await options.writer.recordSchema(stream, facts.schema, uri)).version;
    options.onProgress?.({ key: info.key, action: known ? 'kept' : 'added' });
  }

  const gone = [...catalogued].filter((uri) => !seen.has(uri));
  report.removed = await options.writer.forgetObjects(stream, gone);
  if (options.ingest) await options.ingest.syncMetastores(stream);
  report.schemaVersion = (await options.reader.getSchema(stream))?.version ?? report.schemaVersion;
  logger.log({ msg: 'catalog rebuilt', ...report });
  return report;
}
