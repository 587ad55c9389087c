export { SqsMessagingModule, SqsServerFactory } from './sqs-messaging.module';
export { SqsContext } from './sqs.context';
export {
  DEAD_LETTER_CODE,
  DeadLetterException,
  HandlerRegistrationError,
  InvalidMessageError,
  PublishError,
  QueueMissingError,
  SqsTransportError,
} from './sqs.errors';
export { SqsPublisher } from './sqs.publisher';
