import { compareSequenceNumbers } from '@flux-capacitor/contracts';

/** An archive object ready to scan: a local Parquet file and the record range the catalog says it holds. */
export interface ArchiveFile {
  path: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
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
}

/**
 * Splits archive files into those whose sequence ranges overlap another file of the same shard and those that
 * overlap nothing. Only the first group can hold a record twice, so only it pays for de-duplication; the
 * rest is scanned as is (the catalog records each object's exact first and last sequence number).
 */
export function partitionByOverlap(files: ArchiveFile[]): { disjoint: ArchiveFile[]; overlapping: ArchiveFile[] } {
  const byShard = new Map<string, ArchiveFile[]>();
  for (const f of files) byShard.set(f.shardId, [...(byShard.get(f.shardId) ?? []), f]);
  const overlapping = new Set<ArchiveFile>();
  for (const list of byShard.values()) {
    list.sort((a, b) => compareSequenceNumbers(a.firstSequenceNumber, b.firstSequenceNumber));
    let reach: ArchiveFile | undefined;
    for (const f of list) {
      if (reach && compareSequenceNumbers(f.firstSequenceNumber, reach.lastSequenceNumber) <= 0) {
        overlapping.add(f);
        overlapping.add(reach);
      }
      if (!reach || compareSequenceNumbers(f.lastSequenceNumber, reach.lastSequenceNumber) > 0) reach = f;
    }
  }
  return { disjoint: files.filter((f) => !overlapping.has(f)), overlapping: files.filter((f) => overlapping.has(f)) };
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
