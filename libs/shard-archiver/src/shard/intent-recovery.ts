import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { AbortedError, WireShardReader } from '@flux-capacitor/kinesis';
import type { Logger } from '@nestjs/common';
import { IntentRecoveryError } from '../archiver.errors';
import type { IntentRange } from '../lease/lease.repository';
import type { ObjectBuffer } from '../object/object-buffer';

export interface IntentRecoveryDeps {
  kinesis: KinesisClient;
  getRecordsLimit: number;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * A previous holder recorded this intent and may or may not have written the object. Re-reads exactly one shard's
 * range of it (AT_SEQUENCE_NUMBER first .. last) into `buffer`, so the caller writes the object again under the
 * same key: an object with this key either does not exist or holds the same records, and no record can end up in
 * two objects. Throws IntentRecoveryError when the stream no longer gives exactly the recorded range.
 */
export async function readIntentRange(deps: IntentRecoveryDeps, buffer: ObjectBuffer, stream: string, objectKey: string, range: IntentRange): Promise<void> {
  const reader = new WireShardReader(
    deps.kinesis,
    stream,
    range.shardId,
    { type: 'AT_SEQUENCE_NUMBER', sequenceNumber: range.firstSequenceNumber },
    { limit: deps.getRecordsLimit, logger: deps.logger, signal: deps.signal },
  );
  // Recovery writes nothing on behalf of a lease: the commit is fixed by the intent, not fenced by a holder.
  const lease = { stream, shardId: range.shardId, owner: 'intent-recovery', counter: '0' };
  const last = BigInt(range.lastSequenceNumber);
  const before = buffer.ranges.get(range.shardId)?.records ?? 0;
  let done = false;
  while (!done) {
    if (deps.signal.aborted) throw new AbortedError('intent recovery');
    const batch = await reader.next();
    let take = 0;
    for (const record of batch.records) {
      const seq = BigInt(record.SequenceNumber);
      if (seq > last) {
        done = true;
        break;
      }
      take++;
      if (seq === last) {
        done = true;
        break;
      }
    }
    // One page at a time: the next is read once this one's file is written, so recovery, which reads outside the
    // memory budget, holds at most one page (GetRecords answers 10 MiB at most) whatever the intent's size.
    await buffer.add(lease, batch.records.slice(0, take)).written;
    if (!done && (batch.ended || (batch.records.length === 0 && batch.millisBehindLatest === 0))) {
      throw new IntentRecoveryError(`records ${range.firstSequenceNumber}..${range.lastSequenceNumber} of ${stream}/${range.shardId} are no longer in the stream`);
    }
  }
  const got = buffer.ranges.get(range.shardId);
  const records = (got?.records ?? 0) - before;
  if (records !== range.recordCount || got?.lastSequenceNumber !== range.lastSequenceNumber || got.firstSequenceNumber !== range.firstSequenceNumber) {
    throw new IntentRecoveryError(
      `intent ${objectKey} recorded ${range.recordCount} records ${range.firstSequenceNumber}..${range.lastSequenceNumber} of ${range.shardId}; ` +
        `the stream now gives ${records} up to ${got?.lastSequenceNumber ?? 'none'}`,
    );
  }
}
