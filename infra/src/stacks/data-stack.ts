import { Queues, QueueName } from '@flux-capacitor/contracts';
import { CfnOutput, Duration, RemovalPolicy, SecretValue, Stack, StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { InfraConfig, StreamConfig } from '../config';
import { ArchiveBucket } from '../constructs/archive-bucket';
import { FluxQueue } from '../constructs/flux-queue';
import { bucketNames, streamArn } from '../names';
import { acknowledgeDataFindings } from './data-stack.nag';

export interface DataStackProps extends StackProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
}

/** A stream of the configuration, created here or imported, with what the services need to know about it. */
export interface FluxStream {
  config: StreamConfig;
  stream: kinesis.IStream;
}

export const DATABASE_NAME = 'flux';
/** Characters left out of generated passwords: the ones a connection URL would need to escape. */
const PASSWORD_EXCLUDES = ' %+~`#$&*()|[]{}:;<>?!\'/@"\\,=^';

/**
 * Everything stateful, kept on stack deletion: the archive, the streams this deployment creates, the queues (named
 * from libs/contracts), the database and the secrets, and the Glue database the catalog syncs.
 */
export class DataStack extends Stack {
  readonly archive: ArchiveBucket;
  readonly queues: Record<QueueName, FluxQueue>;
  readonly streams: FluxStream[];
  readonly database: rds.DatabaseCluster;
  /** The generated credentials (JSON: username, password, host, port, dbname), rotated. */
  readonly databaseSecret: secretsmanager.ISecret;
  readonly apiTokens: secretsmanager.ISecret;
  readonly glueDatabaseName: string;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = bucketNames(config);
    this.archive = new ArchiveBucket(this, 'ArchiveBucket', { ...config.archive, bucketName: names.archive, logBucketName: names.logs });

    this.streams = config.streams.map((s) => ({ config: s, stream: this.streamOf(s) }));

    const queueEntries = Object.entries(Queues).map(([key, name]) => [
      name,
      new FluxQueue(this, `${key}Queue`, { queueName: `${config.queues.prefix}${name}`, maxReceiveCount: config.queues.maxReceiveCount, visibilityTimeout: Duration.seconds(30) }),
    ]);
    this.queues = Object.fromEntries(queueEntries) as Record<QueueName, FluxQueue>;

    this.database = new rds.DatabaseCluster(this, 'Database', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: rds.AuroraPostgresEngineVersion.VER_17_9 }),
      credentials: rds.Credentials.fromGeneratedSecret('flux', { excludeCharacters: PASSWORD_EXCLUDES }),
      defaultDatabaseName: DATABASE_NAME,
      writer: rds.ClusterInstance.serverlessV2('Writer', { autoMinorVersionUpgrade: true }),
      serverlessV2MinCapacity: config.database.minAcu,
      serverlessV2MaxCapacity: config.database.maxAcu,
      vpc: props.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: config.database.deletionProtection,
      backup: { retention: Duration.days(14) },
      cloudwatchLogsExports: ['postgresql'],
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    if (!this.database.secret) throw new Error('the database cluster has no generated secret');
    this.databaseSecret = this.database.secret;
    this.database.addRotationSingleUser({
      automaticallyAfter: Duration.days(config.database.rotationDays),
      excludeCharacters: PASSWORD_EXCLUDES,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    });

    // FLUX_API_TOKENS as the JSON key of one secret. Created empty, so every API request is refused until the
    // operator writes the tokens (docs/operations.md, "Deploying to AWS"); the services still start and stay healthy.
    this.apiTokens = config.apiTokensSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'ApiTokens', config.apiTokensSecretArn)
      : new secretsmanager.Secret(this, 'ApiTokens', {
          description: 'flux-capacitor FLUX_API_TOKENS: {"FLUX_API_TOKENS":"token:role+role[@stream+stream], ..."}',
          secretObjectValue: { FLUX_API_TOKENS: SecretValue.unsafePlainText('') },
          removalPolicy: RemovalPolicy.RETAIN,
        });

    this.glueDatabaseName = config.glueDatabase;
    new glue.CfnDatabase(this, 'GlueDatabase', {
      catalogId: this.account,
      databaseInput: { name: config.glueDatabase, description: 'flux-capacitor archive tables, kept in sync by the catalog service' },
    });

    new CfnOutput(this, 'ArchiveUri', { value: `s3://${this.archive.bucket.bucketName}/${config.archive.prefix}`, description: 'FLUX_ARCHIVE_URI' });
    new CfnOutput(this, 'ApiTokensSecretArn', { value: this.apiTokens.secretArn, description: 'Write {"FLUX_API_TOKENS":"token:role+role,..."} here (docs/operations.md)' });
    new CfnOutput(this, 'DatabaseSecretArn', { value: this.databaseSecret.secretArn });
    acknowledgeDataFindings(this);
  }

  private streamOf(s: StreamConfig): kinesis.IStream {
    if (s.arn || s.existing) return kinesis.Stream.fromStreamArn(this, `Stream-${s.name}`, streamArn(this, s));
    return new kinesis.Stream(this, `Stream-${s.name}`, {
      streamName: s.name,
      shardCount: s.shardCount,
      retentionPeriod: Duration.hours(s.retentionHours),
      encryption: kinesis.StreamEncryption.MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
