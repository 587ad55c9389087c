import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where query results live under the archive root (libs/query-engine RESULTS_PREFIX), expired as a backstop. */
export const RESULTS_PREFIX = '_results/';

export interface ArchiveBucketProps {
  bucketName: string;
  logBucketName: string;
  /** The archive root inside the bucket (`FLUX_ARCHIVE_URI` = `s3://<bucket>/<prefix>`). */
  prefix: string;
  infrequentAccessAfterDays: number;
  glacierAfterDays?: number;
  noncurrentVersionDays: number;
}

/**
 * The archive bucket and the bucket its access logs go to. Archive objects are immutable Parquet: versioning makes an
 * accidental overwrite or delete recoverable, and the lifecycle moves them to classes that are cheaper to keep and
 * still readable at once (Standard-IA, then Glacier Instant Retrieval), so queries and replays need no restore.
 */
export class ArchiveBucket extends Construct {
  readonly bucket: s3.Bucket;
  readonly logBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ArchiveBucketProps) {
    super(scope, id);
    // Server access logs cannot go to an SSE-KMS bucket, hence S3-managed keys here.
    this.logBucket = new s3.Bucket(this, 'AccessLogs', {
      bucketName: props.logBucketName,
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const transitions: s3.Transition[] = [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.infrequentAccessAfterDays) }];
    if (props.glacierAfterDays) transitions.push({ storageClass: s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(props.glacierAfterDays) });
    this.bucket = new s3.Bucket(this, 'Archive', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS_MANAGED,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.logBucket,
      serverAccessLogsPrefix: 'archive-bucket/',
      lifecycleRules: [
        { id: 'archive-storage-classes', prefix: `${props.prefix}/`, transitions },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(2) },
        { id: 'expire-noncurrent-versions', noncurrentVersionExpiration: Duration.days(props.noncurrentVersionDays) },
        // The gateways delete results after FLUX_QUERY_RESULT_TTL_SECONDS (at most 7 days); this is the backstop.
        { id: 'expire-query-results', prefix: `${props.prefix}/${RESULTS_PREFIX}`, expiration: Duration.days(8), noncurrentVersionExpiration: Duration.days(1) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
