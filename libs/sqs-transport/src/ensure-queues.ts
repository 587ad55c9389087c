import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import type { QueueName } from '@flux-capacitor/contracts';
import { QueueMissingError } from './sqs.errors';
import { deadLetterQueueName, physicalQueueName, type SqsSettings } from './queue-names';

export interface ResolvedQueue {
  queue: QueueName;
  name: string;
  url: string;
  deadLetterName: string;
  deadLetterUrl: string;
}

/** SQS keeps a message for at most 14 days; dead letters get all of it so someone has time to look. */
const DLQ_RETENTION_SECONDS = 1_209_600;

const logger = new Logger('EnsureQueues');

function isQueueMissing(err: unknown): boolean {
  if (err instanceof QueueDoesNotExist) return true;
  const e = err as { name?: string; Code?: string; __type?: string };
  // Older servers and some emulators answer with the query-protocol code.
  return [e.name, e.Code, e.__type].some(
    (n) => n === 'QueueDoesNotExist' || n === 'AWS.SimpleQueueService.NonExistentQueue' || (n?.endsWith('#QueueDoesNotExist') ?? false),
  );
}

async function queueUrl(client: SQSClient, name: string): Promise<string | undefined> {
  try {
    const out = await client.send(new GetQueueUrlCommand({ QueueName: name }));
    return out.QueueUrl;
  } catch (err) {
    if (isQueueMissing(err)) return undefined;
    throw err;
  }
}

async function queueArn(client: SQSClient, url: string): Promise<string> {
  const out = await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`SQS did not return the ARN of ${url}`);
  return arn;
}

async function resolveOne(client: SQSClient, settings: SqsSettings, queue: QueueName): Promise<ResolvedQueue> {
  const name = physicalQueueName(settings, queue);
  const deadLetterName = deadLetterQueueName(settings, queue);
  let deadLetterUrl = await queueUrl(client, deadLetterName);
  let url = await queueUrl(client, name);
  if (!settings.createQueues) {
    if (!url) throw new QueueMissingError(name);
    if (!deadLetterUrl) throw new QueueMissingError(deadLetterName);
    return { queue, name, url, deadLetterName, deadLetterUrl };
  }
  if (!deadLetterUrl) {
    // CreateQueue is idempotent for identical attributes, so services racing at start-up all succeed.
    deadLetterUrl = (
      await client.send(
        new CreateQueueCommand({
          QueueName: deadLetterName,
          Attributes: { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) },
        }),
      )
    ).QueueUrl;
    logger.log({ msg: 'created dead-letter queue', queue: deadLetterName, url: deadLetterUrl });
  }
  if (!url && deadLetterUrl) {
    const deadLetterTargetArn = await queueArn(client, deadLetterUrl);
    url = (
      await client.send(
        new CreateQueueCommand({
          QueueName: name,
          Attributes: {
            VisibilityTimeout: String(settings.visibilityTimeoutSeconds),
            ReceiveMessageWaitTimeSeconds: String(settings.waitTimeSeconds),
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn, maxReceiveCount: settings.maxReceiveCount }),
          },
        }),
      )
    ).QueueUrl;
    logger.log({ msg: 'created queue', queue: name, url, maxReceiveCount: settings.maxReceiveCount });
  }
  if (!url || !deadLetterUrl) throw new QueueMissingError(url ? deadLetterName : name);
  return { queue, name, url, deadLetterName, deadLetterUrl };
}

/**
 * Resolves the URLs of `<prefix><queue>` and its dead-letter queue `<prefix><queue>-dlq` for each queue. When
 * `settings.createQueues` is on, missing queues are created (the main queue with a RedrivePolicy of
 * `settings.maxReceiveCount` receives); when off, a missing queue throws QueueMissingError naming it.
 * Existing queues are left as they are: infra owns their attributes.
 */
export async function ensureQueues(
  client: SQSClient,
  settings: SqsSettings,
  queues: readonly QueueName[],
): Promise<Map<QueueName, ResolvedQueue>> {
  const resolved = await Promise.all([...new Set(queues)].map((q) => resolveOne(client, settings, q)));
  return new Map(resolved.map((r) => [r.queue, r]));
}
