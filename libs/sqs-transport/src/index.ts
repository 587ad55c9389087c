export { SqsMessagingModule, SqsServerFactory } from './sqs-messaging.module';
export { SqsContext } from './sqs.context';
export { HandlerRegistrationError, InvalidMessageError, PublishError, QueueMissingError } from './sqs.errors';
export { SqsPublisher } from './sqs.publisher';
export { sqsMetrics } from './sqs.metrics';
export { queueDepthGauge } from './queue-depth.metrics';
