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
