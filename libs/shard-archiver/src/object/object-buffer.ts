import type { _Record } from '@aws-sdk/client-kinesis';
import type { ArchivePartition, ParquetBatch } from '@flux-capacitor/archive';
import type { ObjectShardRange } from '@flux-capacitor/contracts';
import { deaggregate } from '@flux-capacitor/kinesis';
import type { HeldLease } from '../lease/lease.repository';

/** One shard's rows in a buffer: a contiguous run of its records, and the lease they were read under. */
export interface BufferedRange {
  lease: HeldLease;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  /** user records (after KPL de-aggregation) */
  records: number;
  /** bytes counted against the memory budget */
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
 * with FLUX_ARCHIVER_OBJECT_SCOPE=shard). Rows live in DuckDB (ParquetBatch), not in the JS heap. Each shard's rows
 * are one contiguous range of its sequence numbers: the object's intent records exactly these ranges.
 */
export class ObjectBuffer {
  readonly ranges = new Map<string, BufferedRange>();
  state: BufferState = 'open';
  records = 0;
  /** The rows' size as the memory budget measures it (data, partition key and sequence number bytes). */
  bytes = 0;
  /** What the writer has counted against the budget for this buffer (released when it is discarded). */
  counted = 0;
  minArrival = Number.POSITIVE_INFINITY;
  maxArrival = Number.NEGATIVE_INFINITY;
  readonly openedAt = Date.now();

  constructor(
    readonly stream: string,
    readonly batch: ParquetBatch,
    readonly partition: ArchivePartition,
    /** hours since the epoch (UTC) of the partition */
    readonly epochHour: number,
    /** the buffer's group: the hour, or the hour and shard with per-shard objects */
    readonly group: string,
  ) {}

  /** Appends one Kinesis record (its user records, de-aggregated). Returns the bytes added. */
  add(lease: HeldLease, record: _Record): number {
    const arrival = record.ApproximateArrivalTimestamp!.getTime();
    const sequenceNumber = record.SequenceNumber!;
    let bytes = 0;
    let users = 0;
    for (const user of deaggregate(record.Data ?? new Uint8Array(0), record.PartitionKey ?? '', null)) {
      this.batch.append({
        stream: this.stream,
        shardId: lease.shardId,
        sequenceNumber,
        subSequenceNumber: user.subSequenceNumber,
        partitionKey: user.partitionKey,
        explicitHashKey: user.explicitHashKey,
        arrivalTime: arrival,
        data: user.data,
      });
      users++;
      bytes += user.data.byteLength + user.partitionKey.length + sequenceNumber.length;
    }
    let range = this.ranges.get(lease.shardId);
    if (!range) {
      range = { lease, firstSequenceNumber: sequenceNumber, lastSequenceNumber: sequenceNumber, records: 0, bytes: 0, minArrival: arrival, maxArrival: arrival };
      this.ranges.set(lease.shardId, range);
    }
    range.lastSequenceNumber = sequenceNumber;
    range.records += users;
    range.bytes += bytes;
    range.minArrival = Math.min(range.minArrival, arrival);
    range.maxArrival = Math.max(range.maxArrival, arrival);
    this.records += users;
    this.bytes += bytes;
    this.minArrival = Math.min(this.minArrival, arrival);
    this.maxArrival = Math.max(this.maxArrival, arrival);
    return bytes;
  }

  /**
   * Deletes one shard's rows (its lease was lost before they were committed). Returns the bytes freed. The range is
   * taken out before the delete is awaited, so a second call for the same shard frees nothing. Only while no rows
   * are appended (the batch is not safe for concurrent use): the writer calls it once the buffer is `writing`.
   */
  async removeShard(shardId: string): Promise<number> {
    const range = this.ranges.get(shardId);
    if (!range) return 0;
    this.ranges.delete(shardId);
    this.records -= range.records;
    this.bytes -= range.bytes;
    await this.batch.deleteShard(shardId);
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
