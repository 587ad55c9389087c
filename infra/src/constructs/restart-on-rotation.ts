import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface RestartOnRotationProps {
  secret: secretsmanager.ISecret;
  services: ecs.FargateService[];
}

const RESTART = `
const { ECSClient, UpdateServiceCommand } = require('@aws-sdk/client-ecs');
exports.handler = async () => {
  const ecs = new ECSClient({});
  for (const s of JSON.parse(process.env.SERVICES)) {
    await ecs.send(new UpdateServiceCommand({ cluster: s.cluster, service: s.service, forceNewDeployment: true }));
  }
};`;

/**
 * ECS resolves secrets when a task starts, so after the database password rotates, running tasks keep the old one:
 * their open connections live on, new ones fail. When Secrets Manager reports a successful rotation of the secret,
 * this rolls every service onto new tasks (rolling, minimum healthy 100 %), which read the new password.
 */
export class RestartOnRotation extends Construct {
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: RestartOnRotationProps) {
    super(scope, id);
    this.function = new lambda.Function(this, 'Restart', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(RESTART),
      timeout: Duration.minutes(1),
      environment: { SERVICES: JSON.stringify(props.services.map((s) => ({ cluster: s.cluster.clusterName, service: s.serviceName }))) },
      logGroup: new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.function.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: props.services.map((s) => s.serviceArn) }));
    new events.Rule(this, 'Rotated', {
      description: 'Restart the flux-capacitor services after the database password rotated',
      eventPattern: {
        source: ['aws.secretsmanager'],
        detailType: ['AWS Service Event via CloudTrail'],
        detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [props.secret.secretArn] } },
      },
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 4 })],
    });
  }
}
