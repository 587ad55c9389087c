import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { KinesisJsonProtocol } from './kinesis-json-protocol';

/** The slice of FluxConfig the AWS clients need. */
export interface AwsSettings {
  region: string;
  endpoints: { kinesis?: string; s3?: string; sqs?: string };
  s3ForcePathStyle: boolean;
}

// Emulators accept any credentials; real AWS uses the SDK's default chain (env, profile, IMDS, ...).
const emulatorCredentials = { accessKeyId: 'flux-local', secretAccessKey: 'flux-local' };

const isLoopback = (endpoint?: string) =>
  endpoint !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/.test(endpoint);

export function createKinesisClient(aws: AwsSettings): KinesisClient {
  return new KinesisClient({
    region: aws.region,
    endpoint: aws.endpoints.kinesis,
    // The SDK's default handler speaks HTTP/2 to Kinesis (for SubscribeToShard); plain-HTTP emulators need HTTP/1.1.
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
    credentials: isLoopback(aws.endpoints.kinesis) ? emulatorCredentials : undefined,
    maxAttempts: 3,
    // The SDK's awsJson1_1 with a cheaper base64 check of record data (see kinesis-json-protocol.ts).
    protocol: KinesisJsonProtocol,
  });
}

export function createS3Client(aws: AwsSettings): S3Client {
  return new S3Client({
    region: aws.region,
    endpoint: aws.endpoints.s3,
    forcePathStyle: aws.s3ForcePathStyle,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 60000 }),
    credentials: isLoopback(aws.endpoints.s3) ? emulatorCredentials : undefined,
    // Emulators do not implement the newer default checksum headers consistently.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(aws: AwsSettings): SQSClient {
  return new SQSClient({
    region: aws.region,
    endpoint: aws.endpoints.sqs,
    requestHandler: new NodeHttpHandler({ connectionTimeout: 5000, requestTimeout: 30000 }),
    credentials: isLoopback(aws.endpoints.sqs) ? emulatorCredentials : undefined,
  });
}
