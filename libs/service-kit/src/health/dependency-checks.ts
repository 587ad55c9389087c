import { ListStreamsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { ListQueuesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ArchiveLocation } from '@flux-capacitor/config';
import { access, constants } from 'node:fs/promises';
import type { BackgroundConnection } from '@flux-capacitor/persistence';
import type { DataSource } from 'typeorm';
import type { HealthCheckFn } from './health.registry';

const message = (err: unknown) => (err instanceof Error ? err.message || err.name : String(err));

export const postgresCheck =
  (ds: DataSource, connection?: BackgroundConnection): HealthCheckFn =>
  async () => {
    if (!ds.isInitialized) return { status: 'down', error: `not connected yet: ${connection?.lastError() ?? 'connecting'}` };
    try {
      await ds.query('SELECT 1');
      return { status: 'up' };
    } catch (err) {
      return { status: 'down', error: message(err) };
    }
  };

export const sqsCheck =
  (sqs: SQSClient, queuePrefix: string): HealthCheckFn =>
  async () => {
    try {
      const out = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: queuePrefix, MaxResults: 100 }));
      return { status: 'up', queues: out.QueueUrls?.length ?? 0 };
    } catch (err) {
      return { status: 'down', error: message(err) };
    }
  };

export const kinesisCheck =
  (kinesis: KinesisClient): HealthCheckFn =>
  async () => {
    try {
      await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
      return { status: 'up' };
    } catch (err) {
      return { status: 'down', error: message(err) };
    }
  };

/** The archive: the bucket answers HeadBucket, or the directory is writable. */
export const archiveCheck =
  (archive: ArchiveLocation, s3: S3Client): HealthCheckFn =>
  async () => {
    try {
      if (archive.kind === 's3') await s3.send(new HeadBucketCommand({ Bucket: archive.bucket }));
      else await access(archive.directory, constants.W_OK);
      return { status: 'up', uri: archive.uri };
    } catch (err) {
      return { status: 'down', uri: archive.uri, error: message(err) };
    }
  };
