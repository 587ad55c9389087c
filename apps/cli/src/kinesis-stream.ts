import { setTimeout } from 'node:timers/promises';
import { CliError } from './cli-error';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, ResourceNotFoundException, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';

/** Whether `stream` exists. */
export async function streamExists(kinesis: KinesisClient, stream: string): Promise<boolean> {
  try {
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return true;
  } catch (err) {
    if (err instanceof ResourceNotFoundException) return false;
    throw err;
  }
}

/** Creates `stream` with `shards` shards unless it exists; true when it created it. */
export async function ensureStream(kinesis: KinesisClient, stream: string, shards: number): Promise<boolean> {
  if (await streamExists(kinesis, stream)) return false;
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: stream });
  return true;
}

export interface PutEntry {
  key: string;
  data: Uint8Array;
}

/** Tries per record before putBatch gives up (throttling that does not clear). */
const MAX_ATTEMPTS = 8;

/**
 * Puts up to 500 records, in order per partition key. PutRecords is not atomic: an entry can fail (throttling) while
 * a later entry of the same key succeeds, and resending the failed one then puts it after its successor. So each call
 * carries at most one record per key (the oldest one not yet put), and a key's next record goes out only once the
 * previous one is in. Failed entries are resent with backoff, as the KPL does; the wait ends early when `signal`
 * aborts. Returns how many were put.
 */
export async function putBatch(kinesis: KinesisClient, stream: string, records: PutEntry[], signal?: AbortSignal): Promise<number> {
  const pending = records.map((r) => ({ entry: { PartitionKey: r.key, Data: r.data }, attempts: 0 }));
  let put = 0;
  for (let failedCalls = 0; pending.length > 0; ) {
    // The head of each key's queue, in input order.
    const keys = new Set<string>();
    const call = pending.filter((p) => !keys.has(p.entry.PartitionKey) && Boolean(keys.add(p.entry.PartitionKey)));
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: call.map((p) => p.entry) }), { abortSignal: signal });
    let failed = 0;
    const putBefore = put;
    call.forEach((p, i) => {
      const error = out.Records?.[i]?.ErrorCode;
      if (error) {
        failed++;
        if (++p.attempts === MAX_ATTEMPTS) throw new CliError(`Kinesis kept rejecting records (${error}); ${put} of ${records.length} put`);
      } else {
        pending.splice(pending.indexOf(p), 1);
        put++;
      }
    });
    // The backoff grows only while nothing gets through: a shard throttling some entries still makes progress.
    failedCalls = put > putBefore ? 0 : failedCalls + 1;
    if (failed) await setTimeout(100 * 2 ** Math.max(0, Math.min(failedCalls - 1, MAX_ATTEMPTS - 1)), undefined, { signal });
  }
  return put;
}
