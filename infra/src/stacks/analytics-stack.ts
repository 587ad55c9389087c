import { CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { InfraConfig } from '../config';
import { DRILL_VIEWS_PREFIX, DrillCluster } from '../constructs/drill-cluster';
import { nagResource } from '../nag';
import { bucketNames, glueDatabaseArns } from '../names';
import { DataStack } from './data-stack';
import { acknowledgeAnalyticsFindings } from './analytics-stack.nag';

export interface AnalyticsStackProps extends StackProps {
  config: InfraConfig;
  vpc: ec2.IVpc;
  data: DataStack;
}

/** Athena refuses a query of the workgroup that would scan more than this (100 GiB, about $0.50). */
export const ATHENA_BYTES_SCANNED_CUTOFF = 100 * 1024 ** 3;

/**
 * Optional query engines over the archive: an Athena workgroup over the Glue tables the catalog keeps in sync
 * (`enableAthena`), and Apache Drill on an EMR cluster whose storage plugins point at the archive and at the Hive
 * metastore (backed by the same Glue database), which the gateway then offers as `engine: drill` (`enableDrill`).
 */
export class AnalyticsStack extends Stack {
  readonly drill?: DrillCluster;
  readonly athenaResults?: s3.Bucket;
  readonly workGroup?: athena.CfnWorkGroup;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config, data } = props;
    if (config.enableAthena) {
      this.athenaResults = new s3.Bucket(this, 'AthenaResults', {
        encryption: s3.BucketEncryption.S3_MANAGED,
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        serverAccessLogsBucket: data.archive.logBucket,
        serverAccessLogsPrefix: 'athena-results/',
        lifecycleRules: [{ expiration: Duration.days(7) }],
        // Kept like the other buckets: deleting a non-empty bucket would fail the stack's deletion.
        removalPolicy: RemovalPolicy.RETAIN,
      });
      this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
        name: `${config.name.toLowerCase()}-archive`,
        description: `flux-capacitor archive tables in the Glue database ${config.glueDatabase}`,
        state: 'ENABLED',
        recursiveDeleteOption: true,
        workGroupConfiguration: {
          // Users cannot point results elsewhere or turn encryption off.
          enforceWorkGroupConfiguration: true,
          publishCloudWatchMetricsEnabled: true,
          bytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_CUTOFF,
          resultConfiguration: { outputLocation: this.athenaResults.s3UrlForObject('results/'), encryptionConfiguration: { encryptionOption: 'SSE_S3' } },
        },
      });
    }
    const names = bucketNames(config);
    if (config.enableDrill) {
      this.drill = new DrillCluster(this, 'Drill', {
        vpc: props.vpc,
        archiveBucket: s3.Bucket.fromBucketName(this, 'ArchiveBucket', names.archive),
        archivePrefix: config.archive.prefix,
        logBucket: s3.Bucket.fromBucketName(this, 'LogBucket', names.logs),
        glueDatabase: config.glueDatabase,
        ...config.drill,
      });
    }
    if (this.workGroup) new CfnOutput(this, 'AthenaWorkGroup', { value: this.workGroup.ref });
    if (this.drill) new CfnOutput(this, 'DrillUrl', { value: this.drill.url, description: 'Drill web console and REST API (private subnets)' });
    if (this.drill) {
      const { archiveBucket, logBucket } = this.drill.props;
      acknowledgeAnalyticsFindings(this, {
        archiveObjects: nagResource(this, archiveBucket.arnForObjects(`${config.archive.prefix}/*`)),
        viewObjects: nagResource(this, archiveBucket.arnForObjects(`${DRILL_VIEWS_PREFIX}/*`)),
        emrLogs: nagResource(this, logBucket.arnForObjects('emr/*')),
        glueTables: nagResource(this, glueDatabaseArns(this, config.glueDatabase)[2]),
      });
    }
  }
}
