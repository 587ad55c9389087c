import type { Readable } from 'node:stream';
import type { ArchiveLocation } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';

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
  /** Copies the object to `localPath` (parent folders created). Throws ArchiveObjectNotFoundError. */
  getToFile(key: string, localPath: string): Promise<void>;
  /** Throws ArchiveObjectNotFoundError. */
  getStream(key: string): Promise<Readable>;
  /** The object's path on this machine when the store can be read in place (`file://`), else null. */
  localPath(key: string): string | null;
  delete(key: string): Promise<void>;
  uri(key: string): string;
  /** The key of an object URI inside this archive; null when the URI lies elsewhere. */
  keyOf(uri: string): string | null;
}

/** Thrown by get* when the object does not exist. */
export class ArchiveObjectNotFoundError extends FluxError {
  constructor(readonly uri: string) {
    super('not-found', 'ARCHIVE_OBJECT_NOT_FOUND', `archive object not found: ${uri}`, { details: { uri } });
  }
}

/** Reads a whole stream into memory (small objects, tests). */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
