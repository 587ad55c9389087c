import type { FluxConfig } from '@flux-capacitor/config';
import type { QueueName } from '@flux-capacitor/contracts';

export type SqsSettings = FluxConfig['sqs'];

/** The SQS name of a logical queue: `<prefix><queue>`. */
export function physicalQueueName(settings: Pick<SqsSettings, 'queuePrefix'>, queue: QueueName): string {
  return `${settings.queuePrefix}${queue}`;
}

/** The SQS name of a logical queue's dead-letter queue: `<prefix><queue>-dlq`. */
export function deadLetterQueueName(settings: Pick<SqsSettings, 'queuePrefix'>, queue: QueueName): string {
  return `${physicalQueueName(settings, queue)}-dlq`;
}
