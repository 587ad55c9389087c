import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Counter, Gauge, register } from 'prom-client';
import type { ResolvedQueue } from './ensure-queues';

const NAME = 'flux_sqs_queue_messages';
const ERRORS = 'flux_sqs_queue_depth_errors_total';
/** A scrape waits at most this long for SQS; then that queue's series is left out of the scrape. */
const WAIT_MS = 2_000;

/** `flux_sqs_queue_depth_errors_total{queue,kind}`: depth reads that failed, so an unknown depth is visible. */
export function queueDepthErrors(): Counter<'queue' | 'kind'> {
  return (
    (register.getSingleMetric(ERRORS) as Counter<'queue' | 'kind'> | undefined) ??
    new Counter({
      name: ERRORS,
      help: 'Reads of an SQS queue depth at scrape that failed or timed out (that scrape then has no flux_sqs_queue_messages series for the queue)',
      labelNames: ['queue', 'kind'],
    })
  );
}

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
 * the CloudWatch DLQ-depth alarm. A queue SQS does not answer for has no series in that scrape (a stale depth
 * would keep a dead-letter alert firing, or silence one, after the queue changed) and counts in
 * `flux_sqs_queue_depth_errors_total`; the rest of the scrape is served as usual.
 */
export function queueDepthGauge(): Gauge<'queue' | 'kind'> {
  const errors = queueDepthErrors();
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
                // SQS away or slow: report no depth rather than a stale one, and do not fail the whole scrape
                this.remove({ queue: name, kind });
                errors.inc({ queue: name, kind });
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
  if (!queue) return;
  watched.delete(queue.url);
  // a queue no longer consumed here has no depth to report either
  const gauge = register.getSingleMetric(NAME) as Gauge<'queue' | 'kind'> | undefined;
  gauge?.remove({ queue: queue.name, kind: 'main' });
  gauge?.remove({ queue: queue.deadLetterName, kind: 'dead-letter' });
}
