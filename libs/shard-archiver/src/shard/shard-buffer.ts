import type { _Record } from '@aws-sdk/client-kinesis';
import type { ArchivePartition, ParquetBatch } from '@flux-capacitor/archive';
import { deaggregate } from '@flux-capacitor/kinesis';

/** Rows of one future object plus what its name, intent and announcement need. */
export class ShardBuffer {
  firstSequenceNumber = '';
  lastSequenceNumber = '';
  minArrival = Number.POSITIVE_INFINITY;
  maxArrival = Number.NEGATIVE_INFINITY;
  records = 0;
  dataBytes = 0;
  readonly openedAt = Date.now();
  /** Hours since the epoch of the partition (UTC). */
  readonly epochHour: number;

  constructor(
    readonly batch: ParquetBatch,
    readonly partition: ArchivePartition,
  ) {
    this.epochHour = Math.floor(Date.parse(`${partition.dt}T${String(partition.hour).padStart(2, '0')}:00:00Z`) / 3_600_000);
  }

  add(stream: string, shardId: string, record: _Record): void {
    const arrival = record.ApproximateArrivalTimestamp!.getTime();
    const data = record.Data ?? new Uint8Array(0);
    for (const user of deaggregate(data, record.PartitionKey ?? '', null)) {
      this.batch.append({
        stream,
        shardId,
        sequenceNumber: record.SequenceNumber!,
        subSequenceNumber: user.subSequenceNumber,
        partitionKey: user.partitionKey,
        explicitHashKey: user.explicitHashKey,
        arrivalTime: arrival,
        data: user.data,
      });
      this.records++;
      this.dataBytes += user.data.byteLength;
    }
    if (!this.firstSequenceNumber) this.firstSequenceNumber = record.SequenceNumber!;
    this.lastSequenceNumber = record.SequenceNumber!;
    this.minArrival = Math.min(this.minArrival, arrival);
    this.maxArrival = Math.max(this.maxArrival, arrival);
  }
}
