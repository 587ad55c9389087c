import { GetQueueUrlCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';

/** A dead-lettered message as a test checks it: its body and the reason attributes the SQS transport set. */
export interface DeadLetter {
  body: string;
  reason?: string;
  detail?: string;
}

/**
 * Receives from the dead-letter queue `<queueName>-dlq` until at least `atLeast` messages have arrived (or the
 * timeout passes, which fails the caller's expectation), without deleting them.
 */
export async function receiveDeadLetters(sqs: SQSClient, queueName: string, atLeast: number, timeoutMs = 30_000): Promise<DeadLetter[]> {
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${queueName}-dlq` }));
  const seen = new Map<string, Message>();
  const deadline = Date.now() + timeoutMs;
  while (seen.size < atLeast && Date.now() < deadline) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60, MessageAttributeNames: ['All'] }));
    for (const m of r.Messages ?? []) seen.set(m.MessageId ?? m.ReceiptHandle ?? String(seen.size), m);
  }
  return [...seen.values()].map((m) => ({
    body: m.Body ?? '',
    reason: m.MessageAttributes?.['flux-dead-letter-reason']?.StringValue,
    detail: m.MessageAttributes?.['flux-dead-letter-detail']?.StringValue,
  }));
}
