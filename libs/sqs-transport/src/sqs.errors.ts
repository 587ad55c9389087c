import { RpcException } from '@nestjs/microservices';

/**
 * Errors of the SQS transport. Each has a stable `code` so the edge (health, CLI, logs) can map it without
 * parsing messages.
 */
export class SqsTransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A queue the service needs does not exist and FLUX_SQS_CREATE_QUEUES is off. */
export class QueueMissingError extends SqsTransportError {
  constructor(
    readonly queueName: string,
    cause?: unknown,
  ) {
    super(
      'SQS_QUEUE_MISSING',
      `SQS queue "${queueName}" does not exist; create it (and its dead-letter queue) or set FLUX_SQS_CREATE_QUEUES=true`,
      { cause },
    );
  }
}

/** The handlers registered on a server do not match the message types routed to its queue. */
export class HandlerRegistrationError extends SqsTransportError {
  constructor(
    readonly queue: string,
    readonly problems: string[],
  ) {
    super('SQS_HANDLERS_MISMATCH', `SQS server for queue "${queue}": ${problems.join('; ')}`);
  }
}

/** A payload handed to the publisher does not match its message contract. */
export class InvalidMessageError extends SqsTransportError {
  constructor(
    readonly messageType: string,
    reason: string,
  ) {
    super('SQS_MESSAGE_INVALID', `cannot publish "${messageType}": ${reason}`);
  }
}

/** Sending to SQS failed for some destination queues. */
export class PublishError extends SqsTransportError {
  constructor(message: string, cause?: unknown) {
    super('SQS_PUBLISH_FAILED', message, { cause });
  }
}

export const DEAD_LETTER_CODE = 'SQS_DEAD_LETTER';

/**
 * Thrown by a handler that knows its message can never succeed (it refers to something that does not exist, say):
 * the transaction rolls back and the message goes straight to the dead-letter queue with this reason, instead of
 * being retried until the redrive policy gives up. Any other error means "retry".
 */
export class DeadLetterException extends RpcException {
  constructor(readonly reason: string) {
    super({ code: DEAD_LETTER_CODE, message: reason });
  }
}

/** The reason when `err` is a DeadLetterException, as thrown or as Nest's RPC exception filter passes it on. */
export function deadLetterReason(err: unknown): string | undefined {
  if (err instanceof DeadLetterException) return err.reason;
  if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DEAD_LETTER_CODE) {
    return String((err as { message?: unknown }).message ?? 'rejected by handler');
  }
  return undefined;
}
