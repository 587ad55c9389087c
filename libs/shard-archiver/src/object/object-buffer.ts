import type { ArchivePartition, PageSpool, SpoolRecord } from '@flux-capacitor/archive';
import type { ObjectShardRange } from '@flux-capacitor/contracts';
import { deaggregate, KPL_MAGIC_BASE64_PREFIX, wireArrivalMs, wireDataBytes, wireDataStartsWith, wireRecordsText, type WireRecord } from '@flux-capacitor/kinesis';
import type { HeldLease } from '../lease/lease.repository';

/** One shard's rows in a buffer: a contiguous run of its records, and the lease they were read under. */
export interface BufferedRange {
  lease: HeldLease;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  /** user records (after KPL de-aggregation) */
  records: number;
  /** bytes counted against the spool budget */
  bytes: number;
  minArrival: number;
  maxArrival: number;
  /** The lease was lost: the rows are deleted before the object is written (never while rows are appended). */
  dropped?: boolean;
}

/** open: takes rows; sealed: queued to be written; writing: its writer alone may change it (intent on its way). */
export type BufferState = 'open' | 'sealed' | 'writing';

/**
 * The rows of one future archive object: records of one or more shards of one stream and hour (or of one shard,
 * with FLUX_ARCHIVER_OBJECT_SCOPE=shard). Rows stay in the GetRecords pages they came in, in files (PageSpool), not
 * in the JS heap. Each shard's rows are one contiguous range of its sequence numbers: the object's intent records
 * exactly these ranges.
 */
export class ObjectBuffer {
  readonly ranges = new Map<string, BufferedRange>();
  state: BufferState = 'open';
  records = 0;
  /** The rows' size as the spool budget measures it (data, partition key and sequence number bytes). */
  bytes = 0;
  /** What the writer has counted against the spool budget for this buffer (released when it is discarded). */
  counted = 0;
  minArrival = Number.POSITIVE_INFINITY;
  maxArrival = Number.NEGATIVE_INFINITY;
  readonly openedAt = Date.now();

  constructor(
    readonly stream: string,
    readonly spool: PageSpool,
    readonly partition: ArchivePartition,
    /** hours since the epoch (UTC) of the partition */
    readonly epochHour: number,
    /** the buffer's group: the hour, or the hour and shard with per-shard objects */
    readonly group: string,
  ) {}

  /**
   * Appends Kinesis records of one shard, in sequence order (their user records, de-aggregated). Records read from a
   * response body are written as the body has them when none is a KPL aggregate (wireRecordsText). Returns the bytes
   * added and when their file is written (the page's memory is free then).
   */
  add(lease: HeldLease, records: readonly WireRecord[]): { bytes: number; written: Promise<void> } {
    if (records.length === 0) return { bytes: 0, written: Promise.resolve() };
    let spooled: SpoolRecord[] | undefined;
    let users = 0;
    let bytes = 0;
    let minArrival = Number.POSITIVE_INFINITY;
    let maxArrival = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const arrival = wireArrivalMs(record);
      if (arrival < minArrival) minArrival = arrival;
      if (arrival > maxArrival) maxArrival = arrival;
      // Only data that may start with the KPL magic is decoded here, to be de-aggregated (read from the body for this
      // record alone); every other record's data reaches DuckDB still base64.
      const decoded = wireDataStartsWith(record, KPL_MAGIC_BASE64_PREFIX) ? Buffer.from(record.Data, 'base64') : undefined;
      const aggregate = decoded && deaggregate(decoded, record.PartitionKey, null);
      // deaggregate gives back the record itself (its data, unchanged) when it is not a valid aggregate.
      if (aggregate && !(aggregate.length === 1 && aggregate[0].data === decoded)) {
        // A KPL aggregate: its user records replace it, and the page is written record by record.
        spooled ??= records.slice(0, i);
        for (const user of aggregate) {
          spooled.push({
            SequenceNumber: record.SequenceNumber,
            SubSequenceNumber: user.subSequenceNumber,
            ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
            Data: Buffer.from(user.data).toString('base64'),
            PartitionKey: user.partitionKey,
            ExplicitHashKey: user.explicitHashKey,
          });
          users++;
          bytes += user.data.byteLength + user.partitionKey.length + record.SequenceNumber.length;
        }
      } else if (!wellFormed(record.PartitionKey)) {
        // A key with a lone UTF-16 surrogate (JSON allows the escape, DuckDB's JSON reader refuses it): stored with
        // U+FFFD in its place, as the appender stored such a key, and the page is written record by record.
        spooled ??= records.slice(0, i);
        spooled.push({
          SequenceNumber: record.SequenceNumber,
          ApproximateArrivalTimestamp: record.ApproximateArrivalTimestamp,
          Data: record.Data,
          PartitionKey: record.PartitionKey.replace(LONE_SURROGATE, '\ufffd'),
        });
        users++;
        bytes += wireDataBytes(record) + record.PartitionKey.length + record.SequenceNumber.length;
      } else {
        spooled?.push(record);
        users++;
        bytes += wireDataBytes(record) + record.PartitionKey.length + record.SequenceNumber.length;
      }
    }
    const written = this.spool.add(lease.shardId, spooled ?? records, spooled ? undefined : wireRecordsText(records), bytes);
    const first = records[0].SequenceNumber;
    const last = records[records.length - 1].SequenceNumber;
    let range = this.ranges.get(lease.shardId);
    if (!range) {
      range = { lease, firstSequenceNumber: first, lastSequenceNumber: last, records: 0, bytes: 0, minArrival, maxArrival };
      this.ranges.set(lease.shardId, range);
    }
    range.lastSequenceNumber = last;
    range.records += users;
    range.bytes += bytes;
    range.minArrival = Math.min(range.minArrival, minArrival);
    range.maxArrival = Math.max(range.maxArrival, maxArrival);
    this.records += users;
    this.bytes += bytes;
    this.minArrival = Math.min(this.minArrival, minArrival);
    this.maxArrival = Math.max(this.maxArrival, maxArrival);
    return { bytes, written };
  }

  /**
   * Deletes one shard's rows (its lease was lost before they were committed). Returns the bytes freed. The range is
   * taken out at once, so a second call for the same shard frees nothing. The writer calls it once the buffer is
   * `writing` (no rows are appended then).
   */
  removeShard(shardId: string): number {
    const range = this.ranges.get(shardId);
    if (!range) return 0;
    this.ranges.delete(shardId);
    this.records -= range.records;
    this.bytes -= range.bytes;
    this.spool.deleteShard(shardId);
    // The arrival range stays as wide as it was: it only names the object's bounds, and the object still fits in it.
    return range.bytes;
  }

  /** The ranges as the intent, the Parquet metadata and the announcement name them, in shard order. */
  shardRanges(): ObjectShardRange[] {
    return [...this.ranges]
      .map(([shardId, r]) => ({ shardId, firstSequenceNumber: r.firstSequenceNumber, lastSequenceNumber: r.lastSequenceNumber, recordCount: r.records }))
      .sort((a, b) => a.shardId.localeCompare(b.shardId));
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
const wellFormed = (s: string) => !s.match(LONE_SURROGATE);
