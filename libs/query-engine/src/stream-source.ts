import { compareSequenceNumbers, type ArchiveFieldColumn, type ArchiveLayout, type FieldColumnChoice, type ObjectShardRange } from '@flux-capacitor/contracts';

/**
 * An archive object ready to scan: a local Parquet file, its layout (how to read its arrival_time: layout 1 wrote a
 * TIMESTAMP, layout 2 a TIMESTAMPTZ) and the exact sequence range of each shard the catalog says it holds (one for
 * a layout-1 object, one or more for layout 2).
 */
export interface ArchiveFile {
  path: string;
  /** the object's archive URI, which errors name (the path is a local cache copy); absent in tests and tools */
  uri?: string;
  layout: ArchiveLayout;
  shards: ObjectShardRange[];
  /** the field columns a layout-2 object stores (the catalog's record of its `flux.fields`); none when absent */
  fields?: ArchiveFieldColumn[];
}

/** A record read from Kinesis past the archive's checkpoint (after KPL de-aggregation). */
export interface LiveRecord {
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  partitionKey: string;
  /** epoch ms, UTC */
  arrivalTime: number;
  data: Uint8Array;
}

/** Everything one stream table of a query is built from. */
export interface StreamSource {
  /** the table name the query uses, e.g. `orders` */
  name: string;
  archiveFiles: ArchiveFile[];
  live: LiveRecord[];
  /** the field columns the table exposes typed: selectFieldColumns over the stream's latest catalog schema */
  fields?: FieldColumnChoice[];
}

/**
 * Splits archive files into those that share a record position with another file and those that do not. Two files
 * overlap when a shard range of one overlaps the range of the same shard in the other (a retried object, a layout-1
 * object and the layout-2 object that re-archived part of it, ...). Only overlapping files can hold a record twice,
 * so only they pay for de-duplication; the rest is scanned as is (the catalog records each shard's exact first and
 * last sequence number in every object).
 */
export function partitionByOverlap(files: ArchiveFile[]): { disjoint: ArchiveFile[]; overlapping: ArchiveFile[] } {
  const byShard = new Map<string, { file: ArchiveFile; range: ObjectShardRange }[]>();
  for (const file of files) {
    for (const range of file.shards) {
      const list = byShard.get(range.shardId);
      if (list) list.push({ file, range });
      else byShard.set(range.shardId, [{ file, range }]);
    }
  }
  const overlapping = new Set<ArchiveFile>();
  for (const list of byShard.values()) {
    list.sort((a, b) => compareSequenceNumbers(a.range.firstSequenceNumber, b.range.firstSequenceNumber));
    // Sorted by first position, a range overlaps an earlier one exactly when it starts at or before the furthest
    // end seen so far ("reach").
    let reach: { file: ArchiveFile; range: ObjectShardRange } | undefined;
    for (const entry of list) {
      if (reach && compareSequenceNumbers(entry.range.firstSequenceNumber, reach.range.lastSequenceNumber) <= 0) {
        overlapping.add(entry.file);
        overlapping.add(reach.file);
      }
      if (!reach || compareSequenceNumbers(entry.range.lastSequenceNumber, reach.range.lastSequenceNumber) > 0) reach = entry;
    }
  }
  return { disjoint: files.filter((f) => !overlapping.has(f)), overlapping: files.filter((f) => overlapping.has(f)) };
}

/** Per-shard sequence bounds, both inclusive (a replay's `fromSequence` / `untilSequence`); a shard not named is unbounded. */
export interface ShardSequenceBounds {
  from?: Record<string, string>;
  until?: Record<string, string>;
}

/**
 * Whether an object can hold a record within per-shard sequence bounds. It cannot only when every shard range it holds
 * lies wholly before that shard's lower bound or after its upper bound: one unbounded or overlapping shard (of a
 * multi-shard object) keeps the whole object.
 */
export function mayHoldWithin(shards: ObjectShardRange[], bounds: ShardSequenceBounds): boolean {
  return shards.some((r) => {
    const from = bounds.from?.[r.shardId];
    const until = bounds.until?.[r.shardId];
    if (from !== undefined && compareSequenceNumbers(r.lastSequenceNumber, from) < 0) return false;
    if (until !== undefined && compareSequenceNumbers(r.firstSequenceNumber, until) > 0) return false;
    return true;
  });
}

/** Live records de-duplicated on (shard, sequence, sub-sequence), e.g. after a shard iterator was re-read. */
export function dedupeLive(records: LiveRecord[]): LiveRecord[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.shardId}\u0000${r.sequenceNumber}\u0000${r.subSequenceNumber}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
