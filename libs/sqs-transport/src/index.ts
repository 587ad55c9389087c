export { ensureQueues, type ResolvedQueue } from './ensure-queues';
export { parseEnvelope, type ParsedEnvelope, type PoisonReason } from './envelope.parser';
export { checkHandlers, type RegisteredHandler } from './handler-check';
export { deadLetterQueueName, physicalQueueName, type SqsSettings } from './queue-names';
export { SqsMessagingModule, SqsServerFactory, SQS_MESSAGING_OPTIONS, type SqsMessagingOptions } from './sqs-messaging.module';
export { SqsClientProxy } from './sqs.client-proxy';
export { SqsContext, type SqsContextArgs } from './sqs.context';
export {
  DEAD_LETTER_CODE,
  DeadLetterException,
  HandlerRegistrationError,
  InvalidMessageError,
  PublishError,
  QueueMissingError,
  SqsTransportError,
} from './sqs.errors';
export { checkSqs, type SqsHealth } from './sqs.health';
export { sqsMetrics } from './sqs.metrics';
export { SqsPublisher, buildEnvelope, type PublishOptions, type SqsPublisherOptions } from './sqs.publisher';
export { SQS_TRANSPORT, SqsServer, type SqsServerOptions } from './sqs.server';
