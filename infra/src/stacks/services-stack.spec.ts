import { CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ServiceName } from '../constructs/flux-service';
import { render, resourcesFor, Statement, statementsOf, synthFlux } from '../testing/synth-fixture';

const { stacks } = synthFlux();
const stack = stacks.services;
const template = Template.fromStack(stack);
const policies = Object.fromEntries(
  (Object.keys(stack.services) as ServiceName[]).map((name) => [name, statementsOf(stack, stack.services[name].taskRole)]),
) as Record<ServiceName, Statement[]>;

const ARCHIVE = 'arn:aws:s3:::flux-<AWS::AccountId>-eu-west-1';
const stream = (name: string) => `arn:aws:kinesis:eu-west-1:123456789012:stream/${name}`;
const ORDERS = 'arn:aws:kinesis:eu-west-1:210987654321:stream/orders';
const S3_WRITES = ['s3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:PutObjectAcl', 's3:DeleteObjectVersion'];

describe('services stack: least privilege per service', () => {
  it('lets only the archiver write archive objects, and only under the archive prefix; the catalog only compacted ones', () => {
    expect(resourcesFor(policies.archiver, 's3:PutObject')).toEqual([`${ARCHIVE}/archive/*`]);
    for (const action of S3_WRITES) expect(resourcesFor(policies['replay-coordinator'], action), action).toEqual([]);
    // compaction of closed hours: its outputs under <stream>/_compacted/, and the deletion of what they replaced
    expect(resourcesFor(policies.catalog, 's3:PutObject')).toEqual([`${ARCHIVE}/archive/*/_compacted/*`]);
    expect(resourcesFor(policies.catalog, 's3:DeleteObject')).toEqual([`${ARCHIVE}/archive/*`]);
    for (const action of ['s3:PutObjectAcl', 's3:DeleteObjectVersion']) expect(resourcesFor(policies.catalog, action), action).toEqual([]);
    expect(resourcesFor(policies.catalog, 'glue:BatchUpdatePartition')).toEqual(resourcesFor(policies.catalog, 'glue:BatchCreatePartition'));
  });

  it('gives the query gateway read-only access to the archive: it writes only its expiring query results', () => {
    expect(resourcesFor(policies['query-gateway'], 's3:GetObject')).toEqual([`${ARCHIVE}/archive/*`]);
    for (const action of S3_WRITES) {
      for (const resource of resourcesFor(policies['query-gateway'], action)) expect(resource, action).toBe(`${ARCHIVE}/archive/_results/*`);
    }
    expect(resourcesFor(policies['query-gateway'], 'kinesis:PutRecords')).toEqual([]);
    expect(resourcesFor(policies['query-gateway'], 'glue:CreateTable')).toEqual([]);
  });

  it('lets the archiver and the gateway read only the archived streams', () => {
    for (const name of ['archiver', 'query-gateway'] as const) {
      expect(resourcesFor(policies[name], 'kinesis:GetRecords').sort()).toEqual([ORDERS, stream('clicks')].sort());
    }
    expect(resourcesFor(policies.catalog, 'kinesis:GetRecords')).toEqual([]);
  });

  it('lets the replay coordinator put only into the allowed replay targets', () => {
    expect(resourcesFor(policies['replay-coordinator'], 'kinesis:PutRecords')).toEqual([stream('orders-replay')]);
    expect(resourcesFor(policies['replay-coordinator'], 'kinesis:PutRecord')).toEqual([stream('orders-replay')]);
    for (const name of ['archiver', 'catalog', 'query-gateway'] as const) expect(resourcesFor(policies[name], 'kinesis:PutRecords'), name).toEqual([]);
    const env = environmentOf('replay-coordinator');
    expect(env.FLUX_REPLAY_ALLOWED_TARGETS).toBe('orders-replay');
  });

  it("lets only the catalog write to the Glue catalog, and only to its own database's tables", () => {
    expect(resourcesFor(policies.catalog, 'glue:CreateTable')).toEqual([
      'arn:aws:glue:eu-west-1:123456789012:catalog',
      'arn:aws:glue:eu-west-1:123456789012:database/flux_archive',
      'arn:aws:glue:eu-west-1:123456789012:table/flux_archive/*',
    ]);
    for (const name of ['archiver', 'query-gateway', 'replay-coordinator'] as const) expect(resourcesFor(policies[name], 'glue:CreateTable'), name).toEqual([]);
  });

  it('lists the archive bucket only under the archive prefix', () => {
    for (const name of Object.keys(policies) as ServiceName[]) {
      const list = policies[name].filter((s) => s.actions.includes('s3:ListBucket'));
      expect(list, name).toHaveLength(1);
      expect(list[0].condition).toEqual({ StringLike: { 's3:prefix': ['archive', 'archive/*'] } });
    }
  });

  it('sends and consumes only on the queues each service uses, and never creates a queue', () => {
    // A queue ARN arrives as the data stack's export, named after the queue construct (`<Key>Queue` / `<Key>QueueDeadLetter`).
    const queues = (name: ServiceName, action: string) =>
      resourcesFor(policies[name], action)
        .map((r) => /ExportsOutputFnGetAtt([A-Za-z]+?Queue(?:DeadLetter)?)[0-9A-F]{8}Arn/.exec(r)?.[1] ?? r)
        .sort();
    expect(queues('archiver', 'sqs:SendMessage')).toEqual(['CatalogQueue']);
    expect(queues('archiver', 'sqs:ReceiveMessage')).toEqual([]);
    expect(queues('catalog', 'sqs:ReceiveMessage')).toEqual(['CatalogQueue']);
    expect(queues('catalog', 'sqs:SendMessage')).toEqual(['CatalogQueueDeadLetter', 'QueryGatewayQueue']);
    expect(queues('query-gateway', 'sqs:ReceiveMessage')).toEqual(['QueryGatewayQueue']);
    expect(queues('query-gateway', 'sqs:SendMessage')).toEqual(['QueryGatewayQueueDeadLetter']);
    expect(queues('replay-coordinator', 'sqs:ReceiveMessage')).toEqual(['ReplayCoordinatorQueue']);
    expect(queues('replay-coordinator', 'sqs:SendMessage')).toEqual(['ReplayCoordinatorQueue', 'ReplayCoordinatorQueueDeadLetter']);
    for (const name of Object.keys(policies) as ServiceName[]) expect(resourcesFor(policies[name], 'sqs:CreateQueue'), name).toEqual([]);
  });

  it('grants nothing on every resource (`*`) to any task role', () => {
    for (const [name, statements] of Object.entries(policies)) for (const s of statements) expect(s.resources, name).not.toContain('*');
  });
});

function containerOf(name: ServiceName): Record<string, unknown> {
  const id = stack.getLogicalId(stack.services[name].service.taskDefinition.node.defaultChild as CfnElement);
  return template.toJSON().Resources[id].Properties.ContainerDefinitions[0];
}
function environmentOf(name: ServiceName): Record<string, string> {
  return Object.fromEntries((containerOf(name).Environment as { Name: string; Value: unknown }[]).map((e) => [e.Name, render(e.Value)]));
}

describe('services stack: tasks', () => {
  it.each(['archiver', 'catalog', 'query-gateway', 'replay-coordinator'] as const)('%s: listens on all interfaces, uses the queues it is given, keeps secrets out of the environment', (name) => {
    const env = environmentOf(name);
    expect(env).toMatchObject({ HOST: '0.0.0.0', FLUX_SQS_CREATE_QUEUES: 'false', FLUX_SQS_QUEUE_PREFIX: 'flux-', FLUX_SQS_MAX_RECEIVE_COUNT: '5', NODE_ENV: 'production', FLUX_METRICS_EMF: 'true' });
    expect(env.FLUX_ARCHIVE_URI).toBe('s3://flux-<AWS::AccountId>-eu-west-1/archive');
    for (const key of Object.keys(env)) expect(key).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY/);
    const secrets = (containerOf(name).Secrets as { Name: string }[]).map((s) => s.Name).sort();
    expect(secrets).toEqual(['DATABASE_PASSWORD', 'DATABASE_USER', 'FLUX_API_TOKENS']);
  });

  it('connects every service and the migrations to the database with TLS, verifying the server against the RDS CA bundle', () => {
    for (const name of Object.keys(stack.services) as ServiceName[]) {
      expect(environmentOf(name), name).toMatchObject({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/etc/ssl/certs/rds-global-bundle.pem' });
    }
    const id = stack.getLogicalId(stack.migrations.taskDefinition.node.defaultChild as CfnElement);
    const migrations = template.toJSON().Resources[id].Properties.ContainerDefinitions[0].Environment as { Name: string; Value: unknown }[];
    expect(Object.fromEntries(migrations.map((e) => [e.Name, e.Value]))).toMatchObject({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: '/etc/ssl/certs/rds-global-bundle.pem' });
  });

  it('checks each container on the live endpoint and starts it with an init process', () => {
    for (const name of Object.keys(stack.services) as ServiceName[]) {
      const c = containerOf(name) as { HealthCheck: { Command: string[] }; LinuxParameters: { InitProcessEnabled: boolean } };
      expect(c.HealthCheck.Command.join(' ')).toContain('/health/live');
      expect(c.LinuxParameters.InitProcessEnabled).toBe(true);
    }
  });

  it('runs the images of the configured ECR repositories', () => {
    expect(render((containerOf('archiver') as { Image: unknown }).Image)).toBe(
      '123456789012.dkr.ecr.eu-west-1.<AWS::URLSuffix>/flux-capacitor/archiver:latest',
    );
  });

  it('archives with as many tasks as shards at most and two at least', () => {
    expect(environmentOf('archiver')).toMatchObject({ FLUX_ARCHIVER_STREAMS: 'orders,clicks', FLUX_ARCHIVER_MEMORY_MIB: '1024' });
    const targets = Object.values(template.findResources('AWS::ApplicationAutoScaling::ScalableTarget')).map((r) => [r.Properties.MinCapacity, r.Properties.MaxCapacity]);
    expect(targets).toContainEqual([2, 6]);
  });

  it('scales the gateway on CPU and on requests per target', () => {
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ALBRequestCountPerTarget', ResourceLabel: Match.anyValue() } }) });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: Match.objectLike({ PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } }) });
  });
});

describe('services stack: load balancer', () => {
  it('keeps a connection open longer than a synchronous query may run', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { LoadBalancerAttributes: Match.arrayWith([{ Key: 'idle_timeout.timeout_seconds', Value: '150' }]) });
  });

  it('serves HTTPS with the configured certificate and redirects HTTP', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555' }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'redirect', RedirectConfig: Match.objectLike({ Port: '443', Protocol: 'HTTPS' }) })] });
  });

  it('sends /v1/replays to the coordinator and everything else (the console at /) to the gateway, both checked on the ready endpoint', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/v1/replays', '/v1/replays/*'] } }] });
    const groups = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::TargetGroup')).map((g) => [g.Properties.Port, g.Properties.HealthCheckPath]);
    expect(groups.sort()).toEqual([
      [7101, '/health/ready'],
      [7102, '/health/ready'],
      [7103, '/health/ready'],
      [7104, '/health/ready'],
    ]);
  });

  it('serves the catalog on 8443 and the archiver on 9443, whose /v1/streams would collide on one port', () => {
    const listeners = Object.values(template.findResources('AWS::ElasticLoadBalancingV2::Listener')).map((l) => [l.Properties.Port, l.Properties.Protocol]);
    expect(listeners.sort()).toEqual([
      [443, 'HTTPS'],
      [80, 'HTTP'],
      [8443, 'HTTPS'],
      [9443, 'HTTPS'],
    ]);
  });

  it('tells the console where the other APIs are, and lets those answer it (CORS)', () => {
    const origin = 'https://<LoadBalancerBE9EEC3A.DNSName>';
    expect(environmentOf('query-gateway')).toMatchObject({
      FLUX_CONSOLE_REPLAY_URL: origin,
      FLUX_CONSOLE_CATALOG_URL: `${origin}:8443`,
      FLUX_CONSOLE_ARCHIVER_URL: `${origin}:9443`,
    });
    for (const name of ['archiver', 'catalog', 'replay-coordinator'] as const) expect(environmentOf(name).FLUX_API_CORS_ORIGINS, name).toBe(origin);
  });
});

describe('services stack: alarms', () => {
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const find = (metric: string, dims?: Record<string, string>) =>
    alarms.filter((a) => a.MetricName === metric && (!dims || Object.entries(dims).every(([k, v]) => (a.Dimensions ?? []).some((d: { Name: string; Value: unknown }) => d.Name === k && render(d.Value) === v))));

  it("fires when a stream's oldest unarchived record is older than half its retention, with the iterator age as backstop", () => {
    expect(find('ArchiverOldestUnarchivedAgeSeconds', { Stream: 'orders' })).toEqual([expect.objectContaining({ Namespace: 'FluxCapacitor', Threshold: 24 * 3600, TreatMissingData: 'breaching' })]);
    expect(find('ArchiverOldestUnarchivedAgeSeconds', { Stream: 'clicks' })).toEqual([expect.objectContaining({ Threshold: 12 * 3600 })]);
    expect(find('GetRecords.IteratorAgeMilliseconds', { StreamName: 'orders' })).toEqual([expect.objectContaining({ Threshold: 24 * 3600 * 1000 })]);
  });

  it('fires on every dead-letter queue as soon as it holds a message, and on old messages in every queue', () => {
    expect(find('ApproximateNumberOfMessagesVisible').filter((a) => a.Threshold === 0 && a.ComparisonOperator === 'GreaterThanThreshold')).toHaveLength(3);
    expect(find('ApproximateAgeOfOldestMessage')).toHaveLength(3);
  });

  it('fires on failed replays, unhealthy targets, too few running tasks, gateway 5xx and the database', () => {
    expect(find('ReplaysFailed')).toHaveLength(1);
    expect(find('UnHealthyHostCount')).toHaveLength(4);
    expect(find('RunningTaskCount')).toHaveLength(4);
    expect(find('HTTPCode_Target_5XX_Count')).toHaveLength(1);
    expect(find('ACUUtilization')).toHaveLength(1);
    expect(find('VolumeBytesUsed')).toEqual([expect.objectContaining({ Threshold: 100 * 1024 ** 3 })]);
  });

  it('notifies the alarm topic, encrypted and subscribed by e-mail', () => {
    for (const a of alarms.filter((x) => x.AlarmName)) expect(a.AlarmActions, a.MetricName).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
  });
});

describe('services stack: database password rotation', () => {
  it('rolls every service onto new tasks when the database secret rotated, and may do nothing else', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.secretsmanager'], detail: { eventName: ['RotationSucceeded'], additionalEventData: { SecretId: [Match.objectLike({ 'Fn::ImportValue': Match.stringLikeRegexp('DatabaseSecret') })] } } },
    });
    const role = stack.restartOnRotation.function.role;
    if (!role) throw new Error('the restart function has no role');
    const statements = statementsOf(stack, role);
    expect(statements.flatMap((s) => s.actions)).toEqual(['ecs:UpdateService']);
    expect(resourcesFor(statements, 'ecs:UpdateService')).toHaveLength(4);
  });
});

describe('services stack: migrations', () => {
  it('runs `fluxcap migrate` from the CLI image as a one-off task before any service rolls out', () => {
    const id = stack.getLogicalId(stack.migrations.taskDefinition.node.defaultChild as CfnElement);
    const container = template.toJSON().Resources[id].Properties.ContainerDefinitions[0];
    expect(container.Command).toEqual(['migrate']);
    expect(render(container.Image)).toBe('123456789012.dkr.ecr.eu-west-1.<AWS::URLSuffix>/flux-capacitor/cli:latest');
    expect((container.Secrets as { Name: string }[]).map((s) => s.Name).sort()).toEqual(['DATABASE_PASSWORD', 'DATABASE_USER']);
    const run = stack.getLogicalId(stack.migrations.resource.node.defaultChild as CfnElement);
    for (const svc of Object.values(stack.services)) {
      const serviceId = stack.getLogicalId(svc.service.node.defaultChild as CfnElement);
      expect(template.toJSON().Resources[serviceId].DependsOn, svc.node.id).toContain(run);
    }
  });

  it('may start only the migration task', () => {
    const role = stack.migrations.functions[0].role;
    if (!role) throw new Error('the start function has no role');
    const start = statementsOf(stack, role);
    expect(resourcesFor(start, 'ecs:RunTask')).toEqual([`<${stack.getLogicalId(stack.migrations.taskDefinition.node.defaultChild as CfnElement)}>`]);
  });
});

it('names every alarm <name>-<alarm>, as docs/operations.md lists them', () => {
  // Step scaling adds alarms of its own, unnamed, which act on the scaling policy; these are ours.
  const names = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .map((a) => a.Properties.AlarmName as string | undefined)
    .filter((n): n is string => n !== undefined);
  expect(names.length).toBeGreaterThan(15);
  const docs = readFileSync(join(__dirname, '../../../docs/operations.md'), 'utf8');
  for (const name of names) {
    const alarm = name.replace(/^Flux-/, '').replace(/-(orders|clicks|catalog|query-gateway|replay-coordinator|archiver|gateway|replay)$/, '');
    expect(docs, name).toContain(`| \`${alarm}`);
  }
});

describe('services stack: the PostgreSQL endpoint (pgWire)', () => {
  const TLS_SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:flux-pg-tls-AbCdEf';
  const withPg = synthFlux({ pgWire: { port: 6432, tlsSecretArn: TLS_SECRET, allowedCidrs: ['10.20.0.0/16'] } }).stacks.services;
  const pg = Template.fromStack(withPg);
  const gatewayGroup = withPg.getLogicalId(withPg.services['query-gateway'].service.connections.securityGroups[0].node.defaultChild as CfnElement);
  const balancerGroup = withPg.getLogicalId(withPg.pgWire?.securityGroup.node.defaultChild as CfnElement);
  const gatewayContainer = () => {
    const id = withPg.getLogicalId(withPg.services['query-gateway'].service.taskDefinition.node.defaultChild as CfnElement);
    return pg.toJSON().Resources[id].Properties.ContainerDefinitions[0] as { Environment: { Name: string; Value: string }[]; Secrets: { Name: string; ValueFrom: unknown }[]; PortMappings: { ContainerPort: number }[] };
  };

  it('is off unless configured: no network load balancer, no FLUX_PG_PORT', () => {
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' }, 0);
    expect(environmentOf('query-gateway').FLUX_PG_PORT).toBeUndefined();
  });

  it('passes TCP through a network load balancer to the gateway, which does TLS itself (no TLS listener to terminate it)', () => {
    pg.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network', Scheme: 'internet-facing', SecurityGroups: [{ 'Fn::GetAtt': [balancerGroup, 'GroupId'] }] });
    const listeners = Object.values(pg.findResources('AWS::ElasticLoadBalancingV2::Listener')).filter((l) => l.Properties.Protocol !== 'HTTPS' && l.Properties.Protocol !== 'HTTP');
    expect(listeners.map((l) => [l.Properties.Protocol, l.Properties.Port])).toEqual([['TCP', 6432]]);
    pg.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      Protocol: 'TCP',
      Port: 5432,
      TargetType: 'ip',
      HealthCheckProtocol: 'TCP',
      TargetGroupAttributes: Match.arrayWith([{ Key: 'preserve_client_ip.enabled', Value: 'true' }]),
    });
    const c = gatewayContainer();
    expect(c.PortMappings.map((p) => p.ContainerPort).sort()).toEqual([5432, 7103]);
    const env = Object.fromEntries(c.Environment.map((e) => [e.Name, e.Value]));
    expect(env.FLUX_PG_PORT).toBe('5432');
    expect(env.FLUX_PG_ALLOW_PLAINTEXT).toBeUndefined();
    const tls = c.Secrets.filter((s) => s.Name.startsWith('FLUX_PG_TLS_')).map((s) => [s.Name, render(s.ValueFrom)]);
    expect(tls).toEqual([
      ['FLUX_PG_TLS_CERT', `${TLS_SECRET}:FLUX_PG_TLS_CERT::`],
      ['FLUX_PG_TLS_KEY', `${TLS_SECRET}:FLUX_PG_TLS_KEY::`],
    ]);
  });

  it('admits only the allowed ranges, on the one port, and the gateway only from its balancer', () => {
    const balancer = pg.toJSON().Resources[balancerGroup].Properties as { SecurityGroupIngress: Record<string, unknown>[]; SecurityGroupEgress?: Record<string, unknown>[] };
    expect(balancer.SecurityGroupIngress.map((r) => [r.CidrIp, r.FromPort, r.ToPort])).toEqual([['10.20.0.0/16', 6432, 6432]]);
    // no outbound rule inline (not "all traffic"): its one rule is a resource of its own
    expect(balancer.SecurityGroupEgress ?? []).toEqual([]);
    const egress = Object.values(pg.findResources('AWS::EC2::SecurityGroupEgress')).filter((r) => render(r.Properties.GroupId) === `<${balancerGroup}.GroupId>`);
    expect(egress.map((r) => [render(r.Properties.DestinationSecurityGroupId), r.Properties.FromPort, r.Properties.ToPort])).toEqual([[`<${gatewayGroup}.GroupId>`, 5432, 5432]]);
    const toGatewayPg = Object.values(pg.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => render(r.Properties.GroupId) === `<${gatewayGroup}.GroupId>` && r.Properties.FromPort === 5432);
    expect(toGatewayPg.map((r) => render(r.Properties.SourceSecurityGroupId))).toEqual([`<${balancerGroup}.GroupId>`]);
    expect(Object.values(pg.findResources('AWS::EC2::SecurityGroupIngress')).filter((r) => r.Properties.CidrIp && r.Properties.FromPort === 5432)).toEqual([]);
  });

  it('gives the endpoint as an output', () => {
    expect(render(pg.findOutputs('PgWireUrl').PgWireUrl.Value)).toMatch(/^postgres:\/\/flux@.+:6432\/flux\?sslmode=require$/);
  });
});
