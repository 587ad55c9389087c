import { Queues } from '@flux-capacitor/contracts';
import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { InfraConfig } from '../config';
import { RESULTS_PREFIX } from '../constructs/archive-bucket';
import { nagResource } from '../nag';
import { bucketNames, glueDatabaseArns, streamArn } from '../names';
import { archiverLag, replaysFailed } from '../constructs/flux-metrics';
import { FluxService, READY_PATH, ServiceName } from '../constructs/flux-service';
import { MigrationRun } from '../constructs/migration-run';
import { RestartOnRotation } from '../constructs/restart-on-rotation';
import { DATABASE_NAME, DataStack, FluxStream } from './data-stack';
import { acknowledgeServicesFindings } from './services-stack.nag';

export interface ServicesStackProps extends StackProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
  data: DataStack;
  /** Apache Drill's REST endpoint when the analytics stack runs a Drill cluster. */
  drill?: { url: string; securityGroup: ec2.ISecurityGroup };
}

/** Load balancer ports of the catalog's and the archiver's APIs (the gateway and the coordinator share 443). */
export const CATALOG_PORT = 8443;
export const ARCHIVER_PORT = 9443;
/** Where the images put the Amazon RDS CA bundle (ADD in each apps/<app>/Dockerfile; tools/build/images.spec.ts checks it). */
export const RDS_CA_BUNDLE = '/etc/ssl/certs/rds-global-bundle.pem';
/** Where the gateway's PostgreSQL endpoint listens inside its task (FLUX_PG_PORT); the load balancer's port is `pgWire.port`. */
export const PG_WIRE_CONTAINER_PORT = 5432;

const KINESIS_READ = ['kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:GetShardIterator', 'kinesis:GetRecords'];
const KINESIS_WRITE = ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'];
const S3_READ = ['s3:GetObject'];
const S3_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload'];

/**
 * Everything stateless: the ECS cluster with the four services, the HTTPS load balancer (port 443: the query gateway,
 * which also serves the web console at `/`, and the replay coordinator at `/v1/replays`; 8443 the catalog, 9443 the
 * archiver), each service's grants, the scaling and the alarms. Each grant below is the whole of what that service may do; services-stack.spec.ts proves it.
 */
export class ServicesStack extends Stack {
  readonly services: Record<ServiceName, FluxService>;
  readonly migrations: MigrationRun;
  readonly restartOnRotation: RestartOnRotation;
  readonly cluster: ecs.Cluster;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  readonly alarmTopic: sns.Topic;
  readonly albLogBucket: s3.Bucket;
  readonly targetGroups: Record<'gateway' | 'replay' | 'catalog' | 'archiver', elbv2.ApplicationTargetGroup>;
  /** The PostgreSQL endpoint's load balancer, with `pgWire` only. */
  readonly pgWire?: { loadBalancer: elbv2.NetworkLoadBalancer; securityGroup: ec2.SecurityGroup; targetGroup: elbv2.NetworkTargetGroup };

  constructor(scope: Construct, id: string, props: ServicesStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    // By name, not by the data stack's attribute: see names.ts.
    const bucket = s3.Bucket.fromBucketName(this, 'ArchiveBucket', bucketNames(config).archive);
    const archivePrefix = config.archive.prefix;
    const archiveObjects = bucket.arnForObjects(`${archivePrefix}/*`);
    // Streams by ARN built from the configuration, not the data stack's attributes (names.ts).
    const streams: FluxStream[] = config.streams.map((s) => ({ config: s, stream: kinesis.Stream.fromStreamArn(this, `Stream-${s.name}`, streamArn(this, s)) }));
    const archived = streams.filter((s) => s.config.archive);
    const targets = streams.filter((s) => config.replayTargets.includes(s.config.name));
    const arns = (list: FluxStream[]) => list.map((s) => s.stream.streamArn);

    const cluster = (this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: props.vpc, containerInsightsV2: ecs.ContainerInsights.ENHANCED }));

    // Settings every service shares. The database password and the API tokens are secrets, injected at task start.
    const common: Record<string, string> = {
      FLUX_ARCHIVE_URI: `s3://${bucket.bucketName}/${archivePrefix}`,
      FLUX_SQS_QUEUE_PREFIX: config.queues.prefix,
      FLUX_SQS_CREATE_QUEUES: 'false',
      // The archiver lag and failed-replay alarms read the metrics the services write as EMF lines (flux-metrics.ts).
      FLUX_METRICS_EMF: 'true',
      FLUX_SQS_MAX_RECEIVE_COUNT: String(config.queues.maxReceiveCount),
      DATABASE_HOST: data.database.clusterEndpoint.hostname,
      DATABASE_PORT: String(data.database.clusterEndpoint.port),
      DATABASE_NAME,
      // TLS to Aurora, checked against the Amazon RDS CA bundle every image carries (apps/*/Dockerfile).
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA_FILE: RDS_CA_BUNDLE,
    };
    const dbSecret = data.databaseSecret;
    const secrets = {
      DATABASE_USER: ecs.Secret.fromSecretsManager(dbSecret, 'username'),
      DATABASE_PASSWORD: ecs.Secret.fromSecretsManager(dbSecret, 'password'),
      FLUX_API_TOKENS: ecs.Secret.fromSecretsManager(data.apiTokens, 'FLUX_API_TOKENS'),
    };
    const drillEnv: Record<string, string> = props.drill ? { FLUX_DRILL_URL: props.drill.url } : {};
    // Client groups live here and the ingress rules that admit them too: a rule in the data or analytics stack that
    // named a group of this stack would make those stacks depend on this one.
    const client = (id: string, description: string, target: ec2.ISecurityGroup, port: number) => {
      const sg = new ec2.SecurityGroup(this, id, { vpc: props.vpc, description, allowAllOutbound: true });
      new ec2.CfnSecurityGroupIngress(this, `${id}Ingress`, { groupId: target.securityGroupId, sourceSecurityGroupId: sg.securityGroupId, ipProtocol: 'tcp', fromPort: port, toPort: port, description });
      return sg;
    };
    const databaseClients = client('DatabaseClients', 'flux-capacitor services to Postgres', data.database.connections.securityGroups[0], data.database.clusterEndpoint.port);
    const drillClients = props.drill && client('DrillClients', 'flux-capacitor gateway and catalog to Drill', props.drill.securityGroup, 8047);
    const service = (name: ServiceName, size: InfraConfig['capacity']['archiver'], environment: Record<string, string>, desiredCount = size.minTasks, extraSecrets: Record<string, ecs.Secret> = {}) => {
      const clientSecurityGroups = [databaseClients, ...(drillClients && (name === 'query-gateway' || name === 'catalog') ? [drillClients] : [])];
      return new FluxService(this, name, { cluster, service: name, image: config.images, cpu: size.cpu, memoryMiB: size.memoryMiB, desiredCount, environment: { ...common, ...environment }, secrets: { ...secrets, ...extraSecrets }, clientSecurityGroups });
    };
    // The PostgreSQL endpoint's certificate and key, as PEM text in the gateway's environment (pg-wire.module.ts).
    const pgWireSecret = config.pgWire && secretsmanager.Secret.fromSecretCompleteArn(this, 'PgWireTlsSecret', config.pgWire.tlsSecretArn);
    const pgWireSecrets: Record<string, ecs.Secret> = pgWireSecret
      ? { FLUX_PG_TLS_CERT: ecs.Secret.fromSecretsManager(pgWireSecret, 'FLUX_PG_TLS_CERT'), FLUX_PG_TLS_KEY: ecs.Secret.fromSecretsManager(pgWireSecret, 'FLUX_PG_TLS_KEY') }
      : {};

    // --- Load balancer ------------------------------------------------------------------------------------------------
    this.albLogBucket = new s3.Bucket(this, 'LoadBalancerLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: data.archive.logBucket,
      serverAccessLogsPrefix: 'load-balancer-logs/',
      lifecycleRules: [{ expiration: Duration.days(90), noncurrentVersionExpiration: Duration.days(7) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const albSecurityGroup = (this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', { vpc: props.vpc, description: 'flux-capacitor load balancer', allowAllOutbound: false }));
    for (const cidr of config.allowedCidrs) {
      albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(443), 'HTTPS');
      albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(CATALOG_PORT), 'HTTPS to the catalog');
      albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(ARCHIVER_PORT), 'HTTPS to the archiver');
      albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(80), 'HTTP, redirected to HTTPS');
    }
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      dropInvalidHeaderFields: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      // Past FLUX_QUERY_TIMEOUT_MS (60 s by default): a synchronous query answers only once it is done.
      idleTimeout: Duration.seconds(150),
    });
    this.loadBalancer.logAccessLogs(this.albLogBucket, 'alb');
    this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    const listener = (id: string, port: number) =>
      this.loadBalancer.addListener(id, { port, protocol: elbv2.ApplicationProtocol.HTTPS, certificates: [elbv2.ListenerCertificate.fromArn(config.certificateArn)], sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS });
    const https = listener('Https', 443);
    // The catalog's and the archiver's APIs both start with /v1/streams, so each gets a port of its own.
    const catalogListener = listener('CatalogHttps', CATALOG_PORT);
    const archiverListener = listener('ArchiverHttps', ARCHIVER_PORT);
    // What the browser calls: the console (gateway, at /) and the coordinator share an origin; the catalog's and
    // the archiver's ports are other origins, which they allow (CORS).
    const origin = `https://${config.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
    const consoleEnv = { FLUX_CONSOLE_REPLAY_URL: origin, FLUX_CONSOLE_CATALOG_URL: `${origin}:${CATALOG_PORT}`, FLUX_CONSOLE_ARCHIVER_URL: `${origin}:${ARCHIVER_PORT}` };
    const cors = { FLUX_API_CORS_ORIGINS: origin };

    // The archiver gains nothing past one task per shard; two at least, so a task's loss only moves its leases.
    const totalShards = archived.reduce((n, s) => n + s.config.shardCount, 0);
    const archiverMin = Math.max(2, config.capacity.archiver.minTasks);
    const archiverMax = Math.max(archiverMin, Math.min(config.capacity.archiver.maxTasks, totalShards));
    this.services = {
      archiver: service(
        'archiver',
        config.capacity.archiver,
        {
          FLUX_ARCHIVER_STREAMS: archived.map((s) => s.config.name).join(','),
          // Half the task's memory for the archiver's own accounting, as the default (512 MiB) is for a 1 GiB container.
          FLUX_ARCHIVER_MEMORY_MIB: String(Math.floor(config.capacity.archiver.memoryMiB / 2)),
          ...cors,
        },
        archiverMin,
      ),
      catalog: service('catalog', config.capacity.catalog, {
        FLUX_GLUE_DATABASE: data.glueDatabaseName,
        ...cors,
        ...(props.drill ? { ...drillEnv, FLUX_CATALOG_DRILL_VIEWS: 'true', FLUX_DRILL_SCHEMA: 's3.views', FLUX_CATALOG_DRILL_ARCHIVE_SCHEMA: 's3.archive' } : {}),
      }),
      'query-gateway': service(
        'query-gateway',
        config.capacity.gateway,
        {
          FLUX_QUERY_WORK_DIR: '/tmp/flux/query',
          ...consoleEnv,
          ...drillEnv,
          ...(props.drill ? { FLUX_DRILL_SCHEMA: 's3.views' } : {}),
          ...(config.pgWire ? { FLUX_PG_PORT: String(PG_WIRE_CONTAINER_PORT) } : {}),
        },
        undefined,
        pgWireSecrets,
      ),
      'replay-coordinator': service('replay-coordinator', config.capacity.replay, {
        FLUX_REPLAY_WORK_DIR: '/tmp/flux/replay',
        ...cors,
        ...(targets.length ? { FLUX_REPLAY_ALLOWED_TARGETS: targets.map((s) => s.config.name).join(',') } : {}),
      }),
    };
    // Migrations run as a one-off task before any service rolls out (the services do not migrate at start).
    const migrationsOwnGroup = new ec2.SecurityGroup(this, 'MigrationsSecurityGroup', { vpc: props.vpc, description: 'flux-capacitor migrations task' });
    this.migrations = new MigrationRun(this, 'Migrations', { cluster, image: config.images, environment: common, secrets: { DATABASE_USER: secrets.DATABASE_USER, DATABASE_PASSWORD: secrets.DATABASE_PASSWORD }, securityGroups: [migrationsOwnGroup, databaseClients] });
    for (const svc of Object.values(this.services)) svc.node.addDependency(this.migrations.resource);
    this.restartOnRotation = new RestartOnRotation(this, 'RestartOnRotation', { secret: dbSecret, services: Object.values(this.services).map((svc) => svc.service) });
    const { archiver, catalog } = this.services;
    const gateway = this.services['query-gateway'];
    const replay = this.services['replay-coordinator'];

    // --- Least privilege, service by service -------------------------------------------------------------------------
    const allow = (svc: FluxService, actions: string[], resources: string[], conditions?: Record<string, unknown>) =>
      svc.taskRole.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
    const listArchive = (svc: FluxService) => allow(svc, ['s3:ListBucket'], [bucket.bucketArn], { StringLike: { 's3:prefix': [archivePrefix, `${archivePrefix}/*`] } });

    // archiver: reads the archived streams, writes archive objects (and reads them back when it recovers).
    allow(archiver, KINESIS_READ, arns(archived));
    allow(archiver, [...S3_READ, ...S3_WRITE], [archiveObjects]);
    listArchive(archiver);
    // catalog: reads archive objects, writes tables and partitions of its own Glue database only. Compaction of closed
    // hours writes only under a stream's _compacted/ folder, and deletes the objects it replaced after the grace.
    allow(catalog, S3_READ, [archiveObjects]);
    const compactedObjects = bucket.arnForObjects(`${archivePrefix}/*/_compacted/*`);
    allow(catalog, S3_WRITE, [compactedObjects]);
    allow(catalog, ['s3:DeleteObject'], [archiveObjects]);
    listArchive(catalog);
    allow(
      catalog,
      ['glue:GetDatabase', 'glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:BatchCreatePartition', 'glue:BatchUpdatePartition'],
      glueDatabaseArns(this, data.glueDatabaseName),
    );
    // query gateway: reads the archive and the live tail; writes only its query results (which expire).
    allow(gateway, S3_READ, [archiveObjects]);
    listArchive(gateway);
    const resultObjects = bucket.arnForObjects(`${archivePrefix}/${RESULTS_PREFIX}*`);
    allow(gateway, [...S3_WRITE, 's3:DeleteObject'], [resultObjects]);
    allow(gateway, KINESIS_READ, arns(archived));
    // replay coordinator: plans from the archive and the sources' live tail, puts only into the allowed targets.
    allow(replay, S3_READ, [archiveObjects]);
    listArchive(replay);
    allow(replay, KINESIS_READ, arns(archived));
    if (targets.length) allow(replay, KINESIS_WRITE, arns(targets));

    // Queues: who sends and who consumes (libs/contracts MessageContracts); a consumer may move a poison message to its DLQ.
    data.queues[Queues.Catalog].queue.grantSendMessages(archiver.taskRole);
    data.queues[Queues.QueryGateway].queue.grantSendMessages(catalog.taskRole);
    data.queues[Queues.ReplayCoordinator].queue.grantSendMessages(replay.taskRole);
    const consumers: [FluxService, (typeof Queues)[keyof typeof Queues]][] = [
      [catalog, Queues.Catalog],
      [gateway, Queues.QueryGateway],
      [replay, Queues.ReplayCoordinator],
    ];
    for (const [svc, queue] of consumers) {
      data.queues[queue].queue.grantConsumeMessages(svc.taskRole);
      data.queues[queue].deadLetterQueue.grantSendMessages(svc.taskRole);
    }

    const healthCheck: elbv2.HealthCheck = { path: READY_PATH, healthyHttpCodes: '200', interval: Duration.seconds(15), healthyThresholdCount: 2, unhealthyThresholdCount: 3 };
    this.targetGroups = {
      gateway: https.addTargets('QueryGateway', { port: gateway.port, protocol: elbv2.ApplicationProtocol.HTTP, targets: [gateway.service], healthCheck, deregistrationDelay: Duration.seconds(30) }),
      replay: https.addTargets('ReplayCoordinator', {
        priority: 10,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/v1/replays', '/v1/replays/*'])],
        port: replay.port,
        protocol: elbv2.ApplicationProtocol.HTTP,
        targets: [replay.service],
        healthCheck,
        deregistrationDelay: Duration.seconds(30),
      }),
      catalog: catalogListener.addTargets('Catalog', { port: catalog.port, protocol: elbv2.ApplicationProtocol.HTTP, targets: [catalog.service], healthCheck, deregistrationDelay: Duration.seconds(30) }),
      archiver: archiverListener.addTargets('Archiver', { port: archiver.port, protocol: elbv2.ApplicationProtocol.HTTP, targets: [archiver.service], healthCheck, deregistrationDelay: Duration.seconds(30) }),
    };

    // --- PostgreSQL endpoint ---------------------------------------------------------------------------------------------
    // TCP passed through to the gateway, which does TLS itself: PostgreSQL clients send an SSLRequest in clear and
    // start TLS only when the server agrees, which a TLS-terminating listener cannot answer (only libpq 17's
    // sslnegotiation=direct skips it, and it needs ALPN "postgresql", which a load balancer does not offer).
    if (config.pgWire) {
      const port = config.pgWire.port;
      const sg = new ec2.SecurityGroup(this, 'PgWireSecurityGroup', { vpc: props.vpc, description: 'flux-capacitor PostgreSQL endpoint load balancer', allowAllOutbound: false });
      for (const cidr of config.pgWire.allowedCidrs ?? config.allowedCidrs) sg.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), 'PostgreSQL wire protocol (TLS by the gateway)');
      const nlb = new elbv2.NetworkLoadBalancer(this, 'PgWireLoadBalancer', {
        vpc: props.vpc,
        internetFacing: true,
        securityGroups: [sg],
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
        crossZoneEnabled: true,
      });
      gateway.container.addPortMappings({ containerPort: PG_WIRE_CONTAINER_PORT, protocol: ecs.Protocol.TCP });
      const targetGroup = nlb.addListener('PgWire', { port, protocol: elbv2.Protocol.TCP }).addTargets('QueryGatewayPg', {
        port: PG_WIRE_CONTAINER_PORT,
        protocol: elbv2.Protocol.TCP,
        targets: [gateway.service.loadBalancerTarget({ containerName: gateway.container.containerName, containerPort: PG_WIRE_CONTAINER_PORT })],
        // The gateway counts connections per client address (32 at most): it must see the clients', not the balancer's.
        preserveClientIp: true,
        healthCheck: { protocol: elbv2.Protocol.TCP, interval: Duration.seconds(15), healthyThresholdCount: 2, unhealthyThresholdCount: 3 },
        deregistrationDelay: Duration.seconds(30),
      });
      // Clients reach the tasks only through the balancer, whose group admits the allowed ranges.
      sg.addEgressRule(gateway.service.connections.securityGroups[0], ec2.Port.tcp(PG_WIRE_CONTAINER_PORT), 'to the query gateway');
      gateway.service.connections.securityGroups[0].addIngressRule(sg, ec2.Port.tcp(PG_WIRE_CONTAINER_PORT), 'PostgreSQL wire protocol from its load balancer');
      this.pgWire = { loadBalancer: nlb, securityGroup: sg, targetGroup };
      new CfnOutput(this, 'PgWireUrl', { value: `postgres://flux@${config.domainName ?? nlb.loadBalancerDnsName}:${port}/flux?sslmode=require`, description: 'The PostgreSQL endpoint (password: an API token); docs/pgwire.md' });
    }

    // --- Scaling ------------------------------------------------------------------------------------------------------
    // Archiver: one more task while the oldest unarchived record is older than two buffer intervals, one fewer when
    // it is young again; leases spread the shards over the tasks.
    const archiverScaling = archiver.service.autoScaleTaskCount({ minCapacity: archiverMin, maxCapacity: archiverMax });
    archiverScaling.scaleOnMetric('Lag', {
      metric: archiverLag().with({ period: Duration.minutes(5) }),
      scalingSteps: [
        { upper: 900, change: -1 },
        { lower: 1800, change: +1 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
      cooldown: Duration.minutes(10),
    });
    const gatewayScaling = gateway.service.autoScaleTaskCount({ minCapacity: config.capacity.gateway.minTasks, maxCapacity: config.capacity.gateway.maxTasks });
    gatewayScaling.scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 60 });
    gatewayScaling.scaleOnRequestCount('Requests', { requestsPerTarget: 600, targetGroup: this.targetGroups.gateway });
    const catalogScaling = catalog.service.autoScaleTaskCount({ minCapacity: config.capacity.catalog.minTasks, maxCapacity: config.capacity.catalog.maxTasks });
    catalogScaling.scaleOnMetric('Backlog', {
      metric: data.queues[Queues.Catalog].queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 100, change: +1 },
      ],
      adjustmentType: appscaling.AdjustmentType.CHANGE_IN_CAPACITY,
    });
    replay.service.autoScaleTaskCount({ minCapacity: config.capacity.replay.minTasks, maxCapacity: config.capacity.replay.maxTasks }).scaleOnCpuUtilization('Cpu', { targetUtilizationPercent: 70 });

    // --- Alarms -------------------------------------------------------------------------------------------------------
    const alarmKey = new kms.Key(this, 'AlarmTopicKey', { enableKeyRotation: true, description: 'flux-capacitor alarm topic', removalPolicy: RemovalPolicy.DESTROY });
    alarmKey.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.alarmTopic = new sns.Topic(this, 'Alarms', { masterKey: alarmKey, enforceSSL: true, displayName: 'flux-capacitor alarms' });
    if (config.alarmEmail) this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    const action = new cw_actions.SnsAction(this.alarmTopic);
    const alarm = (id: string, description: string, props: Omit<cloudwatch.AlarmProps, 'alarmDescription'>) => {
      const a = new cloudwatch.Alarm(this, id, { alarmName: `${config.name}-${id}`, alarmDescription: `${description} See docs/operations.md#alarms.`, ...props });
      a.addAlarmAction(action);
      a.addOkAction(action);
      return a;
    };
    const GT = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    const LT = cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;

    for (const s of archived) {
      const halfRetention = (s.config.retentionHours * 3600) / 2;
      alarm(`ArchiverLag-${s.config.name}`, `The oldest record of ${s.config.name} not yet archived is older than half the stream's retention: records will expire unarchived.`, {
        metric: archiverLag(s.config.name),
        threshold: halfRetention,
        comparisonOperator: GT,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      // Backstop while the archiver reports nothing (it is down): the stream's own iterator age, which the
      // gateway's live tail also moves, hence only the backstop.
      alarm(`IteratorAge-${s.config.name}`, `Some consumer of ${s.config.name} reads records older than half the retention (backstop of the archiver lag alarm).`, {
        metric: s.stream.metricGetRecordsIteratorAgeMilliseconds({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) }),
        threshold: halfRetention * 1000,
        comparisonOperator: GT,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const [name, q] of Object.entries(data.queues)) {
      alarm(`DeadLetters-${name}`, `Messages in the ${name} dead-letter queue: handlers failed them ${config.queues.maxReceiveCount} times.`, {
        metric: q.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: GT,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`QueueAge-${name}`, `The oldest message of the ${name} queue has waited over 15 minutes: its consumer is down or falling behind.`, {
        metric: q.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 900,
        comparisonOperator: GT,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('ReplayFailures', 'A replay failed.', { metric: replaysFailed(), threshold: 0, comparisonOperator: GT, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING });
    for (const [name, tg] of Object.entries(this.targetGroups)) {
      alarm(`UnhealthyTargets-${name}`, `A ${name} task behind the load balancer fails its readiness check.`, {
        metric: tg.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 0,
        comparisonOperator: GT,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    for (const svc of Object.values(this.services)) {
      alarm(`RunningTasks-${svc.node.id}`, `Fewer ${svc.node.id} tasks run than its minimum: tasks fail their health check or cannot start.`, {
        metric: new cloudwatch.Metric({
          namespace: 'ECS/ContainerInsights',
          metricName: 'RunningTaskCount',
          dimensionsMap: { ClusterName: cluster.clusterName, ServiceName: svc.service.serviceName },
          statistic: cloudwatch.Stats.MINIMUM,
          period: Duration.minutes(1),
        }),
        threshold: svc === archiver ? archiverMin : 1,
        comparisonOperator: LT,
        evaluationPeriods: 5,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }
    alarm('Gateway5xx', 'The query gateway or the coordinator answers with server errors.', {
      metric: this.loadBalancer.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      threshold: 10,
      comparisonOperator: GT,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('DatabaseCapacity', 'The database runs near its maximum ACUs: raise database.maxAcu.', {
      metric: data.database.metricACUUtilization({ period: Duration.minutes(5), statistic: cloudwatch.Stats.AVERAGE }),
      threshold: 90,
      comparisonOperator: GT,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('DatabaseStorage', `The database volume is larger than ${config.database.storageAlarmGiB} GiB: check what grows (query jobs, replay audit) before the bill does.`, {
      metric: data.database.metricVolumeBytesUsed({ period: Duration.hours(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: config.database.storageAlarmGiB * 1024 ** 3,
      comparisonOperator: GT,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    new CfnOutput(this, 'Url', { value: origin, description: 'The console, the query API and the replay API (FLUX_QUERY_URL, FLUX_REPLAY_URL); point domainName at LoadBalancerDns' });
    new CfnOutput(this, 'CatalogUrl', { value: consoleEnv.FLUX_CONSOLE_CATALOG_URL, description: 'FLUX_CATALOG_URL' });
    new CfnOutput(this, 'ArchiverUrl', { value: consoleEnv.FLUX_CONSOLE_ARCHIVER_URL, description: 'FLUX_ARCHIVER_URL' });
    new CfnOutput(this, 'LoadBalancerDns', { value: this.loadBalancer.loadBalancerDnsName, description: 'CNAME or alias target for domainName' });
    new CfnOutput(this, 'ClusterName', { value: cluster.clusterName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });

    acknowledgeServicesFindings(this, {
      archiveObjects: nagResource(this, archiveObjects),
      resultObjects: nagResource(this, resultObjects),
      compactedObjects: nagResource(this, compactedObjects),
      glueTables: nagResource(this, glueDatabaseArns(this, data.glueDatabaseName)[2]),
    });
  }
}
