import { CustomResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

export interface MigrationRunProps {
  cluster: ecs.ICluster;
  image: { repositoryPrefix: string; tag: string };
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  securityGroups: ec2.ISecurityGroup[];
}

// Runs the task and reports its id; the completion check below waits for it to stop.
const START = `
const { ECSClient, RunTaskCommand } = require('@aws-sdk/client-ecs');
exports.handler = async (event) => {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId };
  const p = event.ResourceProperties;
  const out = await new ECSClient({}).send(new RunTaskCommand({
    cluster: p.Cluster, taskDefinition: p.TaskDefinition, launchType: 'FARGATE', count: 1, startedBy: 'flux-migrations',
    networkConfiguration: { awsvpcConfiguration: { subnets: p.Subnets, securityGroups: p.SecurityGroups, assignPublicIp: 'DISABLED' } },
  }));
  if (!out.tasks || out.tasks.length !== 1) throw new Error('RunTask started no task: ' + JSON.stringify(out.failures));
  return { PhysicalResourceId: out.tasks[0].taskArn };
};`;
const IS_COMPLETE = `
const { ECSClient, DescribeTasksCommand } = require('@aws-sdk/client-ecs');
exports.handler = async (event) => {
  if (event.RequestType === 'Delete') return { IsComplete: true };
  const out = await new ECSClient({}).send(new DescribeTasksCommand({ cluster: event.ResourceProperties.Cluster, tasks: [event.PhysicalResourceId] }));
  const task = out.tasks && out.tasks[0];
  if (!task || task.lastStatus !== 'STOPPED') return { IsComplete: false };
  const code = task.containers && task.containers[0] && task.containers[0].exitCode;
  if (code !== 0) throw new Error('migrations failed (exit ' + code + ', ' + task.stoppedReason + '); see the migrate log group');
  return { IsComplete: true };
};`;

/**
 * Runs `fluxcap migrate` (advisory-locked, so a second run waits and then finds nothing to do) as a one-off Fargate
 * task on every deployment of a new image tag, and holds the services' rollout until it has exited 0: the services do
 * not migrate at start, and a new version's tasks may need its migrations. A failed migration fails the deployment,
 * which CloudFormation rolls back.
 */
export class MigrationRun extends Construct {
  readonly taskDefinition: ecs.FargateTaskDefinition;
  readonly resource: CustomResource;
  readonly functions: lambda.Function[];
  readonly provider: cr.Provider;

  constructor(scope: Construct, id: string, props: MigrationRunProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', { cpu: 256, memoryLimitMiB: 512 });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    this.taskDefinition.addContainer('migrate', {
      image: ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(this, 'Repository', `${props.image.repositoryPrefix}cli`), props.image.tag),
      command: ['migrate'],
      environment: { ...props.environment, NODE_ENV: 'production', LOG_FORMAT: 'json' },
      secrets: props.secrets,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'migrate', logGroup }),
    });

    const fn = (name: string, code: string) =>
      new lambda.Function(this, name, {
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: lambda.Code.fromInline(code),
        timeout: Duration.minutes(1),
        logGroup: new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      });
    const start = fn('Start', START);
    const isComplete = fn('IsComplete', IS_COMPLETE);
    this.functions = [start, isComplete];
    start.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:RunTask'], resources: [this.taskDefinition.taskDefinitionArn], conditions: { ArnEquals: { 'ecs:cluster': props.cluster.clusterArn } } }));
    start.addToRolePolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [this.taskDefinition.taskRole.roleArn, this.taskDefinition.obtainExecutionRole().roleArn] }));
    isComplete.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` })] }),
    );

    this.provider = new cr.Provider(this, 'Provider', {
      onEventHandler: start,
      isCompleteHandler: isComplete,
      queryInterval: Duration.seconds(15),
      totalTimeout: Duration.minutes(30),
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
        level: sfn.LogLevel.ALL,
      },
    });
    const subnets = props.cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds;
    this.resource = new CustomResource(this, 'Run', {
      serviceToken: this.provider.serviceToken,
      properties: {
        Cluster: props.cluster.clusterArn,
        TaskDefinition: this.taskDefinition.taskDefinitionArn,
        Subnets: subnets,
        SecurityGroups: props.securityGroups.map((g) => g.securityGroupId),
        // A new tag is a new version: run its migrations (the task definition changes with it, so does its ARN).
        ImageTag: props.image.tag,
      },
    });
  }
}
