import { CreateStreamCommand, DescribeStreamSummaryCommand, ResourceNotFoundException, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';

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
