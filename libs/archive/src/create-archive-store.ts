import type { S3Client } from '@aws-sdk/client-s3';
import type { ArchiveLocation } from '@flux-capacitor/config';
import type { ArchiveStore } from './archive-store';
import { FileArchiveStore } from './file-archive-store';
import { S3ArchiveStore, type S3ArchiveStoreOptions } from './s3-archive-store';

/** The store for `FLUX_ARCHIVE_URI`: S3 for `s3://`, a local directory for `file://`. */
export function createArchiveStore(location: ArchiveLocation, s3?: S3Client, options?: S3ArchiveStoreOptions): ArchiveStore {
  if (location.kind === 'file') return new FileArchiveStore(location);
  if (!s3) throw new Error(`an S3 client is needed for the archive at ${location.uri}`);
  return new S3ArchiveStore(location, s3, options);
}
