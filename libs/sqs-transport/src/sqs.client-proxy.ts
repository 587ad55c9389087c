import type { SQSClient } from '@aws-sdk/client-sqs';
import { isMessageType, type Envelope } from '@flux-capacitor/contracts';
import { ClientProxy, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { InvalidMessageError } from './sqs.errors';
import type { SqsPublisher } from './sqs.publisher';

/**
 * Nest `ClientProxy` over SqsPublisher, so `client.emit('archive.object.written', payload)` publishes an event.
 * SQS here carries events only: `send()` (request/response) is not supported.
 */
export class SqsClientProxy extends ClientProxy {
  constructor(
    private readonly publisher: SqsPublisher,
    private readonly client: SQSClient,
  ) {
    super();
  }

  async connect(): Promise<void> {
    // Nothing to connect: the SQS client is HTTP and lazy.
  }

  close(): void {
    // The SQS client belongs to whoever created it.
  }

  unwrap<T>(): T {
    return this.client as T;
  }

  protected publish(_packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    callback({ err: new Error('request/response is not supported over SQS; use emit()'), isDisposed: true });
    return () => undefined;
  }

  protected async dispatchEvent<T = Envelope>(packet: ReadPacket): Promise<T> {
    const type = this.normalizePattern(packet.pattern);
    if (!isMessageType(type)) throw new InvalidMessageError(type, 'unknown message type');
    return (await this.publisher.publish(type, packet.data)) as T;
  }
}
