import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface SqsHealth {
  status: 'up' | 'down';
  queueUrl: string;
  /** Approximate visible and in-flight messages, when up. */
  messages?: number;
  inFlight?: number;
  error?: string;
}

/**
 * Checks that a queue answers GetQueueAttributes within `timeoutMs`. For a terminus indicator:
 * `{ sqs: await checkSqs(client, url) }` is up or down.
 */
export async function checkSqs(client: SQSClient, queueUrl: string, timeoutMs = 3000): Promise<SqsHealth> {
  try {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
    return {
      status: 'up',
      queueUrl,
      messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  } catch (err) {
    return { status: 'down', queueUrl, error: (err as Error).message };
  }
}
