import { randomUUID } from 'node:crypto';
import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { Logger } from '@nestjs/common';
import {
  MessageContracts,
  describeZodIssues,
  isMessageType,
  type Envelope,
  type MessagePayload,
  type MessageType,
  type QueueName,
} from '@flux-capacitor/contracts';
import type { z } from 'zod';
import { ensureQueues, type ResolvedQueue } from './ensure-queues';
import type { SqsSettings } from './queue-names';
import { InvalidMessageError, PublishError } from './sqs.errors';

export interface SqsPublisherOptions {
  client: SQSClient;
  settings: SqsSettings;
  /** Service name written into each envelope's `producer`. */
  producer: string;
}

export interface PublishOptions {
  /** Ties this message to the request or message that caused it; a new id when absent. */
  correlationId?: string;
}

/**
 * Builds an envelope for a message type: validates the payload against its contract (throws
 * InvalidMessageError) and stamps a new id, the contract's version and the time.
 */
export function buildEnvelope<T extends MessageType>(
  type: T,
  payload: MessagePayload<T>,
  producer: string,
  options: PublishOptions = {},
): Envelope<MessagePayload<T>> & { type: T } {
  if (!isMessageType(type)) throw new InvalidMessageError(String(type), 'unknown message type');
  const contract = MessageContracts[type];
  const parsed = (contract.schema as z.ZodType).safeParse(payload);
  if (!parsed.success) {
    throw new InvalidMessageError(type, describeZodIssues(parsed.error).join('; '));
  }
  const id = randomUUID();
  return {
    id,
    type,
    version: contract.version,
    correlationId: options.correlationId ?? id,
    occurredAt: new Date().toISOString(),
    producer,
    payload: parsed.data as MessagePayload<T>,
  };
}

/**
 * Publishes messages: one copy of the envelope to each queue the message type is routed to
 * (`MessageContracts[type].queues`; SQS has no fan-out). Usable without Nest; SqsMessagingModule provides one.
 */
export class SqsPublisher {
  private readonly logger = new Logger(SqsPublisher.name);
  private readonly queues = new Map<QueueName, Promise<ResolvedQueue>>();

  constructor(private readonly options: SqsPublisherOptions) {}

  async publish<T extends MessageType>(
    type: T,
    payload: MessagePayload<T>,
    options: PublishOptions = {},
  ): Promise<Envelope<MessagePayload<T>>> {
    const envelope = buildEnvelope(type, payload, this.options.producer, options);
    const body = JSON.stringify(envelope);
    const destinations = MessageContracts[type].queues as readonly QueueName[];
    const results = await Promise.allSettled(
      destinations.map(async (q) => {
        const queue = await this.resolve(q);
        await this.options.client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
        return queue.name;
      }),
    );
    this.throwIfFailed(type, results);
    this.logger.debug({ msg: 'published', type, envelopeId: envelope.id, correlationId: envelope.correlationId, queues: destinations });
    return envelope;
  }

  /**
   * Publishes several messages of one type, with SendMessageBatch (10 per call) to each destination queue.
   * Throws PublishError naming the entries SQS refused; entries it accepted stay sent.
   */
  async publishBatch<T extends MessageType>(
    type: T,
    payloads: readonly MessagePayload<T>[],
    options: PublishOptions = {},
  ): Promise<Envelope<MessagePayload<T>>[]> {
    const envelopes = payloads.map((p) => buildEnvelope(type, p, this.options.producer, options));
    const destinations = MessageContracts[type].queues as readonly QueueName[];
    const results = await Promise.allSettled(
      destinations.map(async (q) => {
        const queue = await this.resolve(q);
        for (let i = 0; i < envelopes.length; i += 10) {
          const chunk = envelopes.slice(i, i + 10);
          const out = await this.options.client.send(
            new SendMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: chunk.map((e, j) => ({ Id: String(j), MessageBody: JSON.stringify(e) })),
            }),
          );
          if (out.Failed && out.Failed.length > 0) {
            const failed = out.Failed.map((f) => `${chunk[Number(f.Id)]?.id}: ${f.Code} ${f.Message ?? ''}`.trim());
            throw new PublishError(`SendMessageBatch to ${queue.name} refused ${failed.join(', ')}`);
          }
        }
        return queue.name;
      }),
    );
    this.throwIfFailed(type, results);
    this.logger.debug({ msg: 'published batch', type, count: envelopes.length, queues: destinations });
    return envelopes;
  }

  private throwIfFailed(type: string, results: PromiseSettledResult<string>[]): void {
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failures.length === 0) return;
    const reasons = failures.map((f) => (f.reason as Error).message).join('; ');
    throw new PublishError(`publishing "${type}" failed: ${reasons}`, failures.length === 1 ? failures[0].reason : failures.map((f) => f.reason));
  }

  private resolve(queue: QueueName): Promise<ResolvedQueue> {
    let resolved = this.queues.get(queue);
    if (!resolved) {
      resolved = ensureQueues(this.options.client, this.options.settings, [queue]).then((m) => {
        const q = m.get(queue);
        if (!q) throw new PublishError(`queue "${queue}" did not resolve`);
        return q;
      });
      // Do not cache a failure: the queue may be created by the time of the next publish.
      resolved.catch(() => this.queues.delete(queue));
      this.queues.set(queue, resolved);
    }
    return resolved;
  }
}
