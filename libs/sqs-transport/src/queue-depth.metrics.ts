import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Gauge, register } from 'prom-client';
import type { ResolvedQueue } from './ensure-queues';

const NAME = 'flux_sqs_queue_messages';
/** A scrape waits at most this long for SQS; then the gauge keeps its last values. */
const WAIT_MS = 2_000;

const watched = new Map<string, { client: SQSClient; queue: ResolvedQueue }>();

async function depth(client: SQSClient, url: string): Promise<number> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }), {
    abortSignal: AbortSignal.timeout(WAIT_MS),
  });
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}

/**
 * `flux_sqs_queue_messages{queue,kind}`: SQS' ApproximateNumberOfMessages of each queue this process consumes
 * (`kind="main"`) and of its dead-letter queue (`kind="dead-letter"`), read at each scrape. The Prometheus twin of
 * the CloudWatch DLQ-depth alarm. A queue SQS does not answer for keeps its last value.
 */
export function queueDepthGauge(): Gauge<'queue' | 'kind'> {
  return (
    (register.getSingleMetric(NAME) as Gauge<'queue' | 'kind'> | undefined) ??
    new Gauge({
      name: NAME,
      help: 'Messages visible in a consumed SQS queue (kind=main) or its dead-letter queue (kind=dead-letter), read from SQS at scrape',
      labelNames: ['queue', 'kind'],
      async collect() {
        await Promise.all(
          [...watched.values()].flatMap(({ client, queue }) =>
            (
              [
                ['main', queue.name, queue.url],
                ['dead-letter', queue.deadLetterName, queue.deadLetterUrl],
              ] as const
            ).map(async ([kind, name, url]) => {
              try {
                this.set({ queue: name, kind }, await depth(client, url));
              } catch {
                // SQS away or slow: keep the last value rather than fail the whole scrape
              }
            }),
          ),
        );
      },
    })
  );
}

/** Reports the depth of `queue` and its dead-letter queue on `/metrics` until `unwatchQueueDepth`. */
export function watchQueueDepth(client: SQSClient, queue: ResolvedQueue): void {
  queueDepthGauge();
  watched.set(queue.url, { client, queue });
}

export function unwatchQueueDepth(queue: ResolvedQueue | undefined): void {
  if (queue) watched.delete(queue.url);
}
