import { Aws, Stack } from 'aws-cdk-lib';
import { InfraConfig, StreamConfig } from './config';

/**
 * Physical names derived from the configuration, the same in every stack: a stack builds an ARN from them instead of
 * importing another stack's attribute. That keeps the IAM policies (and the cdk-nag findings their acknowledgements
 * name) readable and stable: `arn:<AWS::Partition>:s3:::<name>-<AWS::AccountId>-<region>/archive/*`.
 */
export function bucketNames(config: InfraConfig): { archive: string; logs: string } {
  const base = config.name.toLowerCase();
  return {
    archive: config.archive.bucketName ?? `${base}-${Aws.ACCOUNT_ID}-${config.region}`,
    logs: `${base}-logs-${Aws.ACCOUNT_ID}-${config.region}`,
  };
}

export function bucketArn(name: string): string {
  return `arn:${Aws.PARTITION}:s3:::${name}`;
}

/** The Glue catalog, one database and its tables: what a Glue grant on one database names. */
export function glueDatabaseArns(stack: Stack, database: string): string[] {
  return [
    stack.formatArn({ service: 'glue', resource: 'catalog' }),
    stack.formatArn({ service: 'glue', resource: 'database', resourceName: database }),
    stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${database}/*` }),
  ];
}

/** A configured stream's ARN: the imported one, or the one of that name in this account and region. */
export function streamArn(stack: Stack, stream: StreamConfig): string {
  return stream.arn ?? stack.formatArn({ service: 'kinesis', resource: 'stream', resourceName: stream.name });
}
