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

/**
 * Every call is bounded, so a partition (a dependency that stops answering without closing the connection) turns
 * into an error the caller retries instead of a hang: the connection attempt, the silence on an open socket, and
 * (where no large body streams) the whole request. The SDK then retries up to `maxAttempts` times with backoff.
 */
const TIMEOUTS = {
  connectionTimeout: 3_000,
  /** longer than any SQS long poll (FLUX_SQS_WAIT_SECONDS is at most 20 s) */
  socketTimeout: 30_000,
} as const;
const MAX_ATTEMPTS = 3;

/** Idle and total bounds; `requestTimeoutMs` only where bodies are small (not S3 uploads and downloads). */
const boundedHandler = (socketTimeout: number, requestTimeoutMs?: number) =>
  new NodeHttpHandler({
    connectionTimeout: TIMEOUTS.connectionTimeout,
    socketTimeout,
    ...(requestTimeoutMs ? { requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true } : {}),
  });

const isLoopback = (endpoint?: string) =>
  endpoint !== undefined && /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?/.test(endpoint);

export function createKinesisClient(aws: AwsSettings): KinesisClient {
  return new KinesisClient({
    region: aws.region,
    endpoint: aws.endpoints.kinesis,
    // The SDK's default handler speaks HTTP/2 to Kinesis (for SubscribeToShard); plain-HTTP emulators need HTTP/1.1.
    requestHandler: boundedHandler(10_000, 30_000),
    credentials: isLoopback(aws.endpoints.kinesis) ? emulatorCredentials : undefined,
    maxAttempts: MAX_ATTEMPTS,
    // The SDK's awsJson1_1 with a cheaper base64 check of record data (see kinesis-json-protocol.ts).
    protocol: KinesisJsonProtocol,
  });
}

export function createS3Client(aws: AwsSettings): S3Client {
  return new S3Client({
    region: aws.region,
    endpoint: aws.endpoints.s3,
    forcePathStyle: aws.s3ForcePathStyle,
    requestHandler: boundedHandler(TIMEOUTS.socketTimeout),
    credentials: isLoopback(aws.endpoints.s3) ? emulatorCredentials : undefined,
    maxAttempts: MAX_ATTEMPTS,
    // Emulators do not implement the newer default checksum headers consistently.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export function createSqsClient(aws: AwsSettings): SQSClient {
  return new SQSClient({
    region: aws.region,
    endpoint: aws.endpoints.sqs,
    requestHandler: boundedHandler(TIMEOUTS.socketTimeout, TIMEOUTS.socketTimeout + 10_000),
    credentials: isLoopback(aws.endpoints.sqs) ? emulatorCredentials : undefined,
    maxAttempts: MAX_ATTEMPTS,
  });
}
