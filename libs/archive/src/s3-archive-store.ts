import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NotFound,
  NoSuchKey,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ArchiveLocation } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';
import { ArchiveObjectNotFoundError, type ArchiveObjectInfo, type ArchiveStore } from './archive-store';
import { keyOfUri, objectUri, s3KeyOf } from './object-key';

export interface S3ArchiveStoreOptions {
  /** Objects above this size are uploaded in parts of this size (S3 minimum 5 MiB). */
  partSizeBytes?: number;
  /** Parts uploaded in parallel. */
  queueSize?: number;
  /** Keys per ListObjectsV2 page. */
  pageSize?: number;
}

const isNotFound = (error: unknown) =>
  error instanceof NotFound ||
  error instanceof NoSuchKey ||
  (error as { name?: string })?.name === 'NotFound' ||
  (error as { name?: string })?.name === 'NoSuchKey' ||
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;

/** S3 refusing, failing or throttling: a dependency that is down for now (503 over HTTP, retried over SQS). */
function unavailable(what: string, error: unknown): FluxError {
  return new FluxError('unavailable', 'ARCHIVE_UNAVAILABLE', `S3 ${what} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** The archive on S3 (or any S3-compatible store). Large objects go up as multipart uploads. */
export class S3ArchiveStore implements ArchiveStore {
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly pageSize: number;

  constructor(
    readonly location: Extract<ArchiveLocation, { kind: 's3' }>,
    private readonly s3: S3Client,
    options: S3ArchiveStoreOptions = {},
  ) {
    this.partSize = Math.max(options.partSizeBytes ?? 8 * 1024 * 1024, 5 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 2;
    this.pageSize = options.pageSize ?? 1000;
  }

  uri(key: string): string {
    return objectUri(this.location, key);
  }

  keyOf(uri: string): string | null {
    return keyOfUri(this.location, uri);
  }

  localPath(_key: string): null {
    return null;
  }

  async put(key: string, localPath: string): Promise<ArchiveObjectInfo> {
    const { size } = await stat(localPath);
    // Upload sends one PutObject below partSize and a multipart upload above it; S3 makes either visible
    // atomically once it completes, and a completed upload is durable.
    const upload = new Upload({
      client: this.s3,
      params: {
        Bucket: this.location.bucket,
        Key: s3KeyOf(this.location, key),
        Body: size === 0 ? Buffer.alloc(0) : createReadStream(localPath),
        ContentLength: size,
        ContentType: 'application/vnd.apache.parquet',
      },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    await upload.done().catch((error: unknown) => {
      throw unavailable(`upload of ${key}`, error);
    });
    return { key, size, lastModified: new Date() };
  }

  async head(key: string): Promise<ArchiveObjectInfo | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: s3KeyOf(this.location, key) }));
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw unavailable(`HEAD of ${key}`, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async *list(prefix = ''): AsyncIterable<ArchiveObjectInfo> {
    const root = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.s3
        .send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: root + prefix, ContinuationToken: token, MaxKeys: this.pageSize }))
        .catch((error: unknown) => {
          throw unavailable(`listing of ${prefix || '/'}`, error);
        });
      for (const o of page.Contents ?? []) {
        if (!o.Key) continue;
        yield { key: o.Key.slice(root.length), size: o.Size ?? 0, lastModified: o.LastModified ?? new Date(0) };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: s3KeyOf(this.location, key) }));
      return out.Body as Readable;
    } catch (error) {
      if (isNotFound(error)) throw new ArchiveObjectNotFoundError(this.uri(key));
      throw unavailable(`GET of ${key}`, error);
    }
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    const body = await this.getStream(key);
    await mkdir(dirname(localPath), { recursive: true });
    await pipeline(body, createWriteStream(localPath)).catch((error: unknown) => {
      throw unavailable(`download of ${key}`, error);
    });
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: s3KeyOf(this.location, key) })).catch((error: unknown) => {
      throw unavailable(`DELETE of ${key}`, error);
    });
  }
}
