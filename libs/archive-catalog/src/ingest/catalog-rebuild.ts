import { Logger } from '@nestjs/common';
import { parseObjectKey, type ArchiveStore } from '@flux-capacitor/archive';
import type { ArchiveObjectWritten, ObjectShardRange } from '@flux-capacitor/contracts';
import type { CatalogReader } from '../catalog-reader';
import { ArchiveObjectCorruptError } from '../catalog.errors';
import type { CatalogWriter } from '../catalog-writer';
import type { ArchiveObjectFacts, ArchiveObjectInspector } from './archive-object-inspector';
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
  /** replaced by a compaction and waiting for deletion: left alone (the catalog keeps them as tombstones) */
  retired: number;
  /** catalogued objects the archive no longer has, removed from the catalog */
  removed: number;
  /** keys that are not archive objects of this stream, empty objects, and layout-2 objects whose metadata disagrees with their rows */
  skipped: number;
  partitionsAdded: number;
  schemaVersion: number | null;
  /** objects that are not readable Parquet: catalogued ones are marked corrupt, new ones are left out */
  corrupt: string[];
}

/**
 * The shard ranges of a layout-2 object: those its `flux.shards` metadata declares, provided the rows agree
 * (the same shards, and per shard the same numeric first and last sequence number and record count). Returns why
 * not otherwise: such an object is not catalogued, since the query gateway trusts the catalog's ranges to decide
 * what needs de-duplication and where the live tail starts.
 */
export function checkedShardRanges(facts: ArchiveObjectFacts): { shards: ObjectShardRange[] } | { problem: string } {
  const declared = facts.declaredShards;
  const observed = facts.observedShards;
  if (!declared) return { problem: 'no readable flux.shards metadata' };
  if (!observed) return { problem: 'the rows were not read' };
  const show = (rs: ObjectShardRange[]) => rs.map((r) => `${r.shardId}:${r.firstSequenceNumber}-${r.lastSequenceNumber}(${r.recordCount})`).join(', ');
  const same =
    declared.length === observed.length &&
    declared.every((d, i) => {
      const o = observed[i];
      return d.shardId === o.shardId && BigInt(d.firstSequenceNumber) === BigInt(o.firstSequenceNumber) && BigInt(d.lastSequenceNumber) === BigInt(o.lastSequenceNumber) && d.recordCount === o.recordCount;
    });
  return same ? { shards: declared } : { problem: `flux.shards declares [${show(declared)}] but the rows hold [${show(observed)}]` };
}

/**
 * Rebuilds a stream's catalog from the archive itself (the catalog is derived state): lists the stream's objects
 * (keys of either layout), reads the record count and arrival-time range from the Parquet and each object's shard
 * ranges (layout 1: from the key; layout 2: from the `flux.shards` metadata, checked against the rows), registers
 * what is missing, infers the schema, and forgets objects the archive no longer has. Idempotent; safe to run while
 * the catalog service is running.
 */
export async function rebuildCatalog(stream: string, options: RebuildOptions): Promise<RebuildReport> {
  const logger = new Logger('CatalogRebuild');
  const report: RebuildReport = { stream, listed: 0, added: 0, kept: 0, retired: 0, removed: 0, skipped: 0, partitionsAdded: 0, schemaVersion: null, corrupt: [] };
  const catalogued = new Set((await options.reader.listObjects(stream)).map((x) => x.uri));
  const retired = await options.reader.retiredUris(stream);
  const seen = new Set<string>();

  for await (const info of options.store.list(`${stream}/`)) {
    const name = parseObjectKey(info.key);
    if (!name || name.stream !== stream) {
      report.skipped++;
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    report.listed++;
    const uri = options.store.uri(info.key);
    seen.add(uri);
    if (retired.has(uri)) {
      // Compacted into another object: registering it again would count its records twice wherever that object
      // is read without de-duplication. Its file goes after the grace.
      report.retired++;
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    const known = catalogued.has(uri);
    if (known && !(await options.writer.objectNeedsSchema(uri))) {
      report.kept++;
      options.onProgress?.({ key: info.key, action: 'kept' });
      continue;
    }
    const facts = await options.inspector.inspect(options.store, info.key, options.sampleRecords, { ranges: !known && name.layout === 2 }).catch((err: unknown) => {
      if (err instanceof ArchiveObjectCorruptError) return err;
      throw err;
    });
    if (facts instanceof ArchiveObjectCorruptError) {
      if (known) await options.writer.markObjectCorrupt(uri, facts.reason);
      logger.warn({ msg: 'archive object is not readable Parquet', key: info.key, reason: facts.reason, catalogued: known });
      report.corrupt.push(uri);
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    // Readable now: a corrupt mark from an earlier read (a replaced object, or a transient failure) goes.
    if (known) await options.writer.clearObjectCorrupt(uri);
    if (facts.recordCount === 0 || facts.firstArrivalTime === null || facts.lastArrivalTime === null) {
      report.skipped++;
      options.onProgress?.({ key: info.key, action: 'skipped' });
      continue;
    }
    if (!known) {
      let layout: 1 | 2;
      let shards: ObjectShardRange[];
      if (name.layout === 1) {
        // A per-shard key names its range; the layout is the file's own (its metadata), which says how to read it.
        layout = facts.layout;
        shards = [{ shardId: name.shardId, firstSequenceNumber: name.firstSequenceNumber, lastSequenceNumber: name.lastSequenceNumber, recordCount: facts.recordCount }];
      } else {
        const checked = checkedShardRanges(facts);
        if ('problem' in checked) {
          logger.warn({ msg: 'object not catalogued: its shard ranges cannot be trusted', key: info.key, problem: checked.problem });
          report.skipped++;
          options.onProgress?.({ key: info.key, action: 'skipped' });
          continue;
        }
        layout = 2;
        shards = checked.shards;
        // A malformed flux.fields costs the object its field columns (readers compute the values), not its place.
        if (facts.fieldsProblem) logger.warn({ msg: 'object catalogued without field columns', key: info.key, problem: facts.fieldsProblem });
      }
      const payload: ArchiveObjectWritten = {
        objectUri: uri,
        stream,
        layout,
        shards,
        ...(layout === 2 && facts.fields.length > 0 ? { fields: facts.fields } : {}),
        firstArrivalTime: new Date(facts.firstArrivalTime).toISOString(),
        lastArrivalTime: new Date(facts.lastArrivalTime).toISOString(),
        dt: name.dt,
        hour: name.hour,
        recordCount: facts.recordCount,
        bytes: facts.bytes || info.size,
      };
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
