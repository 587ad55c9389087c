import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';

/**
 * Resolves once a stream is ACTIVE (after a create, split or merge), polling DescribeStreamSummary every `intervalMs`:
 * the SDK's own waiter sleeps 10 s once it sees CREATING. Plain Node (no Vitest), so the benchmarks can use it; the
 * tests reach it through libs/testing's waitUntilActive. A stream not found yet counts as not active; any other error
 * fails at once.
 */
export async function waitForStreamActive(kinesis: KinesisClient, stream: string, timeoutMs = 60_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let status: string | undefined;
  for (;;) {
    try {
      status = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus;
      if (status === 'ACTIVE') return;
    } catch (err) {
      if ((err as Error).name !== 'ResourceNotFoundException') throw err;
      status = 'not found';
    }
    if (Date.now() > deadline) throw new Error(`stream ${stream} was not ACTIVE within ${timeoutMs / 1000} s (last seen: ${status})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
