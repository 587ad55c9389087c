import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The four services, by the name of their app folder, with the port each listens on (libs/service-kit). */
export const SERVICE_PORTS = { archiver: 7101, catalog: 7102, 'query-gateway': 7103, 'replay-coordinator': 7104 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

/** Process up (what the container health check asks); ready = dependencies reachable (what the load balancer asks). */
export const LIVE_PATH = '/health/live';
export const READY_PATH = '/health/ready';

export interface FluxServiceProps {
  cluster: ecs.ICluster;
  service: ServiceName;
  image: { repositoryPrefix: string; tag: string };
  cpu: number;
  memoryMiB: number;
  desiredCount: number;
  /** Non-secret settings only: a test checks no name looks like a secret. */
  environment: Record<string, string>;
  secrets: Record<string, ecs.Secret>;
  /** Groups granting access to what the service uses (the database, Drill), owned by the stacks of those. */
  clientSecurityGroups: ec2.ISecurityGroup[];
}

/**
 * One service as a Fargate service: its own task role (the grants the stacks add to it are all it may do), the image
 * from ECR, settings as environment, secrets from Secrets Manager resolved at task start, logs to CloudWatch, a
 * container health check on the live endpoint, and a deployment that rolls back when new tasks never get healthy.
 */
export class FluxService extends Construct {
  readonly service: ecs.FargateService;
  readonly taskRole: iam.IRole;
  readonly container: ecs.ContainerDefinition;
  readonly port: number;

  constructor(scope: Construct, id: string, props: FluxServiceProps) {
    super(scope, id);
    this.port = SERVICE_PORTS[props.service];
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.cpu,
      memoryLimitMiB: props.memoryMiB,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
    });
    this.taskRole = taskDefinition.taskRole;
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.THREE_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', `${props.image.repositoryPrefix}${props.service}`);
    const port = String(this.port);
    this.container = taskDefinition.addContainer('app', {
      image: ecs.ContainerImage.fromEcrRepository(repository, props.image.tag),
      environment: {
        ...props.environment,
        HOST: '0.0.0.0',
        PORT: port,
        NODE_ENV: 'production',
        AWS_REGION: Stack.of(this).region,
        LOG_FORMAT: 'json',
      },
      secrets: props.secrets,
      portMappings: [{ containerPort: this.port, protocol: ecs.Protocol.TCP }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: props.service, logGroup }),
      // ECS ignores the image's HEALTHCHECK; the image has node but maybe no curl or shell.
      healthCheck: {
        command: ['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}${LIVE_PATH}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`],
        interval: Duration.seconds(30),
        timeout: Duration.seconds(5),
        retries: 3,
        startPeriod: Duration.seconds(60),
      },
      // Node as PID 1 ignores SIGTERM; the init process forwards it so the service drains and commits on stop.
      linuxParameters: new ecs.LinuxParameters(this, 'Linux', { initProcessEnabled: true }),
      stopTimeout: Duration.seconds(60),
    });
    const own = new ec2.SecurityGroup(this, 'SecurityGroup', { vpc: props.cluster.vpc, description: `flux-capacitor ${props.service}` });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: props.cluster,
      securityGroups: [own, ...props.clientSecurityGroups],
      taskDefinition,
      desiredCount: props.desiredCount,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      circuitBreaker: { enable: true, rollback: true },
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
    });
  }
}
