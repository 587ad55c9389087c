import { Counter, Histogram, register } from 'prom-client';

type Labels = 'queue' | 'type';

function counter(name: string, help: string): Counter<Labels> {
  return (register.getSingleMetric(name) as Counter<Labels> | undefined) ?? new Counter({ name, help, labelNames: ['queue', 'type'] });
}

/**
 * SQS transport metrics on prom-client's default registry (what `/metrics` serves). `queue` is the SQS queue
 * name (prefix included), `type` the envelope's message type (`unknown` when the body could not be parsed).
 */
export const sqsMetrics = {
  received: counter('flux_sqs_messages_received_total', 'SQS messages received (every delivery, redeliveries included)'),
  handled: counter('flux_sqs_messages_handled_total', 'SQS messages whose handler completed and committed'),
  failed: counter('flux_sqs_messages_failed_total', 'SQS message deliveries whose handler threw (left for redelivery)'),
  deadLettered:
    (register.getSingleMetric('flux_sqs_messages_dead_lettered_total') as Counter<Labels | 'reason'> | undefined) ??
    new Counter({
      name: 'flux_sqs_messages_dead_lettered_total',
      help: 'SQS messages this service moved to the dead-letter queue, by reason (unparseable, no-handler, rejected-by-handler, ...)',
      labelNames: ['queue', 'type', 'reason'],
    }),
  requeued: counter(
    'flux_sqs_messages_requeued_total',
    'SQS messages sent again as new messages after a dependency outage failed them (their receive count starts again)',
  ),
  duplicates: counter('flux_sqs_messages_duplicates_total', 'SQS deliveries of an envelope this consumer had already handled'),
  handlerDuration:
    (register.getSingleMetric('flux_sqs_handler_duration_seconds') as Histogram<Labels | 'outcome'> | undefined) ??
    new Histogram({
      name: 'flux_sqs_handler_duration_seconds',
      help: 'Time from start of the inbox transaction to commit or rollback',
      labelNames: ['queue', 'type', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    }),
};
