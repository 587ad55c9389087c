import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { parseArchiveObjectKey, type ParquetEngine } from '@flux-capacitor/archive';
import { AbortedError, ShardReader } from '@flux-capacitor/kinesis';
import type { Logger } from '@nestjs/common';
import { IntentRecoveryError } from '../archiver.errors';
import type { HeldLease, WriteIntent } from '../lease/lease.repository';
import { ShardBuffer } from './shard-buffer';

export interface IntentRecoveryDeps {
  kinesis: KinesisClient;
  engine: ParquetEngine;
  getRecordsLimit: number;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * A previous holder recorded this intent and may or may not have written the object. Re-reads exactly its range
 * (AT_SEQUENCE_NUMBER first .. last) into a buffer for the partition its key names, so the caller writes it again
 * under the same key: an object with this key either does not exist or holds the same records, and no record can
 * end up in two objects. Throws IntentRecoveryError when the stream no longer gives exactly the recorded range.
 * The caller discards the returned buffer's batch.
 */
export async function readIntentRange(deps: IntentRecoveryDeps, lease: HeldLease, intent: WriteIntent): Promise<ShardBuffer> {
  const name = parseArchiveObjectKey(intent.objectKey);
  if (!name) throw new IntentRecoveryError(`intent of ${lease.stream}/${lease.shardId} has a malformed key ${intent.objectKey}`);
  const reader = new ShardReader(
    deps.kinesis,
    lease.stream,
    lease.shardId,
    { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: intent.firstSequenceNumber },
    { limit: deps.getRecordsLimit, logger: deps.logger, signal: deps.signal },
  );
  const last = BigInt(intent.lastSequenceNumber);
  const buffer = new ShardBuffer(await deps.engine.openBatch(), { dt: name.dt, hour: name.hour });
  try {
    let done = false;
    while (!done) {
      if (deps.signal.aborted) throw new AbortedError('intent recovery');
      const batch = await reader.next();
      for (const record of batch.records) {
        if (BigInt(record.SequenceNumber!) > last) {
          done = true;
          break;
        }
        buffer.add(lease.stream, lease.shardId, record);
        if (BigInt(record.SequenceNumber!) === last) {
          done = true;
          break;
        }
      }
      if (!done && (batch.ended || (batch.records.length === 0 && batch.millisBehindLatest === 0))) {
        throw new IntentRecoveryError(
          `records ${intent.firstSequenceNumber}..${intent.lastSequenceNumber} of ${lease.stream}/${lease.shardId} are no longer in the stream`,
        );
      }
    }
    if (buffer.records !== intent.recordCount || buffer.lastSequenceNumber !== intent.lastSequenceNumber) {
      throw new IntentRecoveryError(
        `intent ${intent.objectKey} recorded ${intent.recordCount} records up to ${intent.lastSequenceNumber}; the stream now gives ${buffer.records} up to ${buffer.lastSequenceNumber}`,
      );
    }
    return buffer;
  } catch (error) {
    await buffer.batch.discard();
    throw error;
  }
}
