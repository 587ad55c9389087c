import type { Message } from '@aws-sdk/client-sqs';
import type { Envelope, MessageType, QueueName } from '@flux-capacitor/contracts';
import { BaseRpcContext } from '@nestjs/microservices';
import type { EntityManager } from 'typeorm';

export type SqsContextArgs = [
  message: Message,
  envelope: Envelope & { type: MessageType },
  entityManager: EntityManager,
  queue: QueueName,
];

/**
 * What an `@EventPattern` handler gets through `@Ctx()`: the SQS message, its envelope, and the EntityManager
 * of the inbox transaction. Writes made through `entityManager` commit together with the inbox row, or roll
 * back with it when the handler throws (and the message is redelivered).
 */
export class SqsContext extends BaseRpcContext<SqsContextArgs> {
  get message(): Message {
    return this.args[0];
  }

  get envelope(): Envelope & { type: MessageType } {
    return this.args[1];
  }

  get entityManager(): EntityManager {
    return this.args[2];
  }

  get queue(): QueueName {
    return this.args[3];
  }

  get correlationId(): string {
    return this.args[1].correlationId;
  }

  /** How many times SQS has delivered this message, this delivery included. */
  get receiveCount(): number {
    return Number(this.args[0].Attributes?.ApproximateReceiveCount ?? 1);
  }
}
