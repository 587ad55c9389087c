import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
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
import { filePathOf, objectUri, s3KeyOf } from './object-key';

export interface ArchiveObjectInfo {
  /** Relative to the archive root (no S3 prefix, no directory). */
  key: string;
  size: number;
  lastModified: Date;
}

/**
 * Where archive objects live. Keys are relative to the archive root: `<stream>/dt=.../hour=.../<file>.parquet`.
 * `put` is atomic and durable when it resolves: readers see the whole object or nothing, and a crash after it
 * resolves cannot lose it. Putting the same key again replaces the object.
 */
export interface ArchiveStore {
  readonly location: ArchiveLocation;
  /** Uploads a local file as `key`; resolves once the object is durable. */
  put(key: string, localPath: string): Promise<ArchiveObjectInfo>;
  head(key: string): Promise<ArchiveObjectInfo | null>;
  exists(key: string): Promise<boolean>;
  /** Every object whose key starts with `prefix`, in key order, fetched page by page. */
  list(prefix?: string): AsyncIterable<ArchiveObjectInfo>;
  getToFile(key: string, localPath: string): Promise<void>;
  getStream(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
  uri(key: string): string;
}

/** Thrown by get* when the object does not exist. */
export class ArchiveObjectNotFoundError extends FluxError {
  constructor(readonly uri: string) {
    super('not-found', 'ARCHIVE_OBJECT_NOT_FOUND', `archive object not found: ${uri}`, { details: { uri } });
  }
}

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
    this.partSize = Math.max(options.partSizeBytes ?? 16 * 1024 * 1024, 5 * 1024 * 1024);
    this.queueSize = options.queueSize ?? 2;
    this.pageSize = options.pageSize ?? 1000;
  }

  uri(key: string): string {
    return objectUri(this.location, key);
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
    await upload.done();
    return { key, size, lastModified: new Date() };
  }

  async head(key: string): Promise<ArchiveObjectInfo | null> {
    try {
      const out = await this.s3.send(new HeadObjectCommand({ Bucket: this.location.bucket, Key: s3KeyOf(this.location, key) }));
      return { key, size: out.ContentLength ?? 0, lastModified: out.LastModified ?? new Date(0) };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async *list(prefix = ''): AsyncIterable<ArchiveObjectInfo> {
    const root = this.location.prefix ? `${this.location.prefix}/` : '';
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: root + prefix,
          ContinuationToken: token,
          MaxKeys: this.pageSize,
        }),
      );
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
      throw error;
    }
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    const body = await this.getStream(key);
    await mkdir(dirname(localPath), { recursive: true });
    await pipeline(body, createWriteStream(localPath));
  }

  async delete(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.location.bucket, Key: s3KeyOf(this.location, key) }));
  }
}

const TEMP_MARK = '.flux-tmp-';

/**
 * The archive in a local directory (`file://`). An object is written to a temporary file beside its final name,
 * fsynced, renamed into place and the directory fsynced: readers never see a partial object, and a crash after
 * `put` resolves cannot lose it. Temporary files left by a crash are ignored by `list`.
 */
export class FileArchiveStore implements ArchiveStore {
  constructor(readonly location: Extract<ArchiveLocation, { kind: 'file' }>) {}

  uri(key: string): string {
    return objectUri(this.location, key);
  }

  private path(key: string): string {
    if (key.split('/').some((part) => part === '..' || part === '')) throw new Error(`invalid archive key "${key}"`);
    return filePathOf(this.location, key);
  }

  async put(key: string, localPath: string): Promise<ArchiveObjectInfo> {
    const target = this.path(key);
    const dir = dirname(target);
    await mkdir(dir, { recursive: true });
    const temp = join(dir, `${TEMP_MARK}${randomBytes(6).toString('hex')}`);
    try {
      await copyFile(localPath, temp);
      const fh = await open(temp, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp, target);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await fsyncDirectory(dir);
    const s = await stat(target);
    return { key, size: s.size, lastModified: s.mtime };
  }

  async head(key: string): Promise<ArchiveObjectInfo | null> {
    try {
      const s = await stat(this.path(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    return (await this.head(key)) !== null;
  }

  async *list(prefix = ''): AsyncIterable<ArchiveObjectInfo> {
    // Walk only the folders the prefix can reach, in sorted order, so keys come out in key order like S3's.
    const root = this.location.directory;
    const walk = async function* (dir: string): AsyncIterable<ArchiveObjectInfo> {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_MARK)) continue;
        const full = join(dir, entry.name);
        const key = relative(root, full).split(sep).join('/');
        if (entry.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) yield* walk(full);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          const s = await stat(full);
          yield { key, size: s.size, lastModified: s.mtime };
        }
      }
    };
    yield* walk(root);
  }

  async getStream(key: string): Promise<Readable> {
    if (!(await this.exists(key))) throw new ArchiveObjectNotFoundError(this.uri(key));
    return createReadStream(this.path(key));
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    if (!(await this.exists(key))) throw new ArchiveObjectNotFoundError(this.uri(key));
    await mkdir(dirname(localPath), { recursive: true });
    await copyFile(this.path(key), localPath);
  }

  async delete(key: string): Promise<void> {
    await rm(this.path(key), { force: true });
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** The store for `FLUX_ARCHIVE_URI`: S3 for `s3://`, a local directory for `file://`. */
export function createArchiveStore(location: ArchiveLocation, s3?: S3Client, options?: S3ArchiveStoreOptions): ArchiveStore {
  if (location.kind === 'file') return new FileArchiveStore(location);
  if (!s3) throw new Error(`an S3 client is needed for the archive at ${location.uri}`);
  return new S3ArchiveStore(location, s3, options);
}

/** Reads a whole stream into memory (small objects, tests). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
