import { FluxError } from '@flux-capacitor/contracts';

/*
 * Errors of the SQS transport. Each fixes its kind and a stable code, so the edge (health, CLI, logs) can act on
 * it without parsing messages.
 */

/** A queue the service needs does not exist and FLUX_SQS_CREATE_QUEUES is off. */
export class QueueMissingError extends FluxError {
  constructor(
    readonly queueName: string,
    cause?: unknown,
  ) {
    super(
      'unavailable',
      'SQS_QUEUE_MISSING',
      `SQS queue "${queueName}" does not exist; create it (and its dead-letter queue) or set FLUX_SQS_CREATE_QUEUES=true`,
      { cause },
    );
  }
}

/** The handlers registered on a server do not match the message types routed to its queue: a programming error. */
export class HandlerRegistrationError extends FluxError {
  constructor(
    readonly queue: string,
    readonly problems: string[],
  ) {
    super('internal', 'SQS_HANDLERS_MISMATCH', `SQS server for queue "${queue}": ${problems.join('; ')}`);
  }
}

/** A payload handed to the publisher does not match its message contract. */
export class InvalidMessageError extends FluxError {
  constructor(
    readonly messageType: string,
    reason: string,
  ) {
    super('invalid-input', 'SQS_MESSAGE_INVALID', `cannot publish "${messageType}": ${reason}`);
  }
}

/** Sending to SQS failed for some destination queues. */
export class PublishError extends FluxError {
  constructor(message: string, cause?: unknown) {
    super('unavailable', 'SQS_PUBLISH_FAILED', message, { cause });
  }
}
