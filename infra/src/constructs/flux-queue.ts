import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface FluxQueueProps {
  /** `<FLUX_SQS_QUEUE_PREFIX><queue>`: the name the services look up (they create nothing with FLUX_SQS_CREATE_QUEUES=false). */
  queueName: string;
  /** Must equal FLUX_SQS_MAX_RECEIVE_COUNT: receives before a message moves to the dead-letter queue. */
  maxReceiveCount: number;
  /** FLUX_SQS_VISIBILITY_SECONDS; the transport extends it while a handler runs. */
  visibilityTimeout: Duration;
}

/** One queue of libs/contracts' `Queues` and its dead-letter queue (`<name>-dlq`), encrypted and TLS-only. */
export class FluxQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: FluxQueueProps) {
    super(scope, id);
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetter', {
      queueName: `${props.queueName}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The longest SQS allows: time to find out why a message failed and redrive it.
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: props.queueName,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy: RemovalPolicy.DESTROY,
    });
  }
}
