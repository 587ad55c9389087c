import { deaggregate } from '@flux-capacitor/kinesis';

/** One user record as a consumer read it (already KPL-de-aggregated). */
export interface ConsumedRecord {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  partitionKey: string;
  arrivalTime: Date | number;
  data: Uint8Array;
}

/** The fields of a GetRecords record (`_Record` of @aws-sdk/client-kinesis) this SDK reads. */
export interface GetRecordsRecord {
  Data?: Uint8Array;
  PartitionKey?: string;
  SequenceNumber?: string;
  ApproximateArrivalTimestamp?: Date;
  ExplicitHashKey?: string;
}

/** The user records inside one GetRecords record: a KPL aggregate yields one per entry, anything else itself. */
export function userRecordsOf(stream: string, shardId: string, record: GetRecordsRecord): ConsumedRecord[] {
  if (record.SequenceNumber === undefined || record.PartitionKey === undefined) {
    throw new Error(`GetRecords record on ${stream}/${shardId} without SequenceNumber or PartitionKey`);
  }
  const arrivalTime = record.ApproximateArrivalTimestamp ?? new Date();
  return deaggregate(record.Data ?? new Uint8Array(0), record.PartitionKey, record.ExplicitHashKey ?? null).map((u) => ({
    stream,
    shardId,
    sequenceNumber: record.SequenceNumber as string,
    subSequenceNumber: u.subSequenceNumber,
    partitionKey: u.partitionKey,
    arrivalTime,
    data: u.data,
  }));
}

/** One record of an AWS Lambda Kinesis event (`event.Records[i]`). */
export interface LambdaKinesisRecord {
  eventID: string;
  eventSourceARN: string;
  kinesis: { data: string; sequenceNumber: string; partitionKey: string; approximateArrivalTimestamp: number };
}

/**
 * The user records of one Lambda Kinesis event record. Lambda does not de-aggregate KPL records, so this does;
 * a plain record yields one entry.
 */
export function fromLambdaKinesisRecord(record: LambdaKinesisRecord): ConsumedRecord[] {
  // eventSourceARN: arn:aws:kinesis:<region>:<account>:stream/<name>
  const stream = /:stream\/([^/]+)/.exec(record.eventSourceARN)?.[1];
  if (!stream) throw new Error(`not a Kinesis stream ARN: ${record.eventSourceARN}`);
  // eventID: <shardId>:<sequenceNumber>
  const shardId = record.eventID.split(':')[0];
  return userRecordsOf(stream, shardId, {
    Data: Buffer.from(record.kinesis.data, 'base64'),
    PartitionKey: record.kinesis.partitionKey,
    SequenceNumber: record.kinesis.sequenceNumber,
    ApproximateArrivalTimestamp: new Date(Math.round(record.kinesis.approximateArrivalTimestamp * 1000)),
  });
}

/** A record as a KCL record processor gets it (the KCL has already de-aggregated it). */
export interface KclRecord {
  /** Base64 (KCL MultiLangDaemon / aws-kcl) or raw bytes (KCL for Java `KinesisClientRecord.data()`). */
  data: string | Uint8Array;
  partitionKey: string;
  sequenceNumber: string;
  subSequenceNumber?: number;
  /** Epoch ms or a Date. */
  approximateArrivalTimestamp?: number | Date;
}

export function fromKclRecord(shardId: string, stream: string, record: KclRecord): ConsumedRecord {
  return {
    stream,
    shardId,
    sequenceNumber: record.sequenceNumber,
    subSequenceNumber: record.subSequenceNumber ?? 0,
    partitionKey: record.partitionKey,
    arrivalTime: record.approximateArrivalTimestamp ?? Date.now(),
    data: typeof record.data === 'string' ? Buffer.from(record.data, 'base64') : record.data,
  };
}
