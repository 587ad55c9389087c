import { CliError } from './cli-error';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand, ResourceNotFoundException, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';

/** Creates `stream` with `shards` shards unless it exists; true when it created it. */
export async function ensureStream(kinesis: KinesisClient, stream: string, shards: number): Promise<boolean> {
  try {
    await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
    return false;
  } catch (err) {
    if (!(err instanceof ResourceNotFoundException)) throw err;
  }
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: stream });
  return true;
}

export interface PutEntry {
  key: string;
  data: Uint8Array;
}

/**
 * Puts up to 500 records; PutRecords is not atomic, so only the entries that failed (throttling) are resent, with
 * backoff, as the KPL does. Returns how many were put.
 */
export async function putBatch(kinesis: KinesisClient, stream: string, records: PutEntry[], signal?: AbortSignal): Promise<number> {
  let pending = records.map((r) => ({ PartitionKey: r.key, Data: r.data }));
  let put = 0;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt === 8) throw new CliError(`Kinesis kept rejecting ${pending.length} records`);
    const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: pending }), { abortSignal: signal });
    const failed = pending.filter((_, i) => out.Records?.[i]?.ErrorCode);
    put += pending.length - failed.length;
    pending = failed;
    if (pending.length) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
  }
  return put;
}
