import { Queues } from '@flux-capacitor/contracts';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { render, synthFlux } from '../testing/synth-fixture';

const { stacks } = synthFlux({ archive: { infrequentAccessAfterDays: 45, glacierAfterDays: 200 } });
const template = Template.fromStack(stacks.data);
const resources = (type: string) => Object.values(template.findResources(type)).map((r) => r.Properties);

describe('data stack: archive bucket', () => {
  const archive = resources('AWS::S3::Bucket').find((b) => render(b.BucketName) === 'flux-<AWS::AccountId>-eu-west-1');

  it('is encrypted, versioned, private and kept when the stack goes', () => {
    expect(archive).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' }, BucketKeyEnabled: true }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { LogFilePrefix: 'archive-bucket/' },
    });
    const retained = Object.values(template.findResources('AWS::S3::Bucket')).filter((b) => b.DeletionPolicy === 'Retain').map((b) => render(b.Properties.BucketName));
    expect(retained).toContain('flux-<AWS::AccountId>-eu-west-1');
  });

  it('moves archive objects to cheaper, still instantly readable classes after the configured ages', () => {
    const rules = archive?.LifecycleConfiguration.Rules as Record<string, unknown>[];
    expect(rules).toContainEqual(
      expect.objectContaining({
        Prefix: 'archive/',
        Transitions: [
          { StorageClass: 'STANDARD_IA', TransitionInDays: 45 },
          { StorageClass: 'GLACIER_IR', TransitionInDays: 200 },
        ],
      }),
    );
    expect(rules).toContainEqual(expect.objectContaining({ Prefix: 'archive/_results/', ExpirationInDays: 8 }));
  });

  it('refuses plain HTTP on every bucket', () => {
    const policies = resources('AWS::S3::BucketPolicy');
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect(p.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });
});

describe('data stack: queues', () => {
  const queues = resources('AWS::SQS::Queue');

  it.each(Object.values(Queues))('declares the %s queue of libs/contracts with its encrypted dead-letter queue and the configured receive count', (queue) => {
    const main = queues.find((q) => q.QueueName === `flux-${queue}`);
    const dlq = queues.find((q) => q.QueueName === `flux-${queue}-dlq`);
    expect(main).toMatchObject({ SqsManagedSseEnabled: true, RedrivePolicy: { maxReceiveCount: 5 } });
    expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(render(main?.RedrivePolicy.deadLetterTargetArn)).toMatch(/DeadLetter.*\.Arn>$/);
  });

  it('declares no queue libs/contracts does not name, and refuses plain HTTP on all', () => {
    expect(queues).toHaveLength(Object.values(Queues).length * 2);
    for (const p of resources('AWS::SQS::QueuePolicy')) {
      expect(p.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    }
  });
});

describe('data stack: database, secrets, Glue, streams', () => {
  it('runs Aurora Serverless v2 Postgres, encrypted, protected from deletion, with IAM auth and rotated credentials', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', {
      Engine: 'aurora-postgresql',
      StorageEncrypted: true,
      DeletionProtection: true,
      EnableIAMDatabaseAuthentication: true,
      ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
      MasterUsername: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.serverless' });
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: 'rate(30 days)' } });
  });

  it('creates the API token secret empty, so no request is accepted until the operator writes the tokens', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"FLUX_API_TOKENS":""}' });
  });

  it("creates the catalog's Glue database", () => {
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'flux_archive' } });
  });

  it('creates only the streams not imported, encrypted, with their retention', () => {
    const streams = resources('AWS::Kinesis::Stream');
    expect(streams.map((s) => s.Name).sort()).toEqual(['orders-replay', 'sandbox']);
    for (const s of streams) expect(s).toMatchObject({ RetentionPeriodHours: 24, StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' } });
  });
});
