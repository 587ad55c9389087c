import { FluxError } from '@flux-capacitor/contracts';

/** A metastore (Hive, Glue, Drill) refused or failed a sync call; the cause is kept. */
export class MetastoreSyncError extends FluxError {
  constructor(
    readonly metastore: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('unavailable', 'METASTORE_SYNC_FAILED', `${metastore}: ${message}`, options);
  }
}

/**
 * An archive object is not readable Parquet (truncated, corrupt footer or pages). The catalog keeps it, marks it
 * corrupt and reports it (GET /v1/streams/:stream/corrupt-objects, flux_catalog_corrupt_objects) instead of
 * retrying a message that can never succeed.
 */
export class ArchiveObjectCorruptError extends FluxError {
  constructor(
    readonly objectUri: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super('invalid-input', 'ARCHIVE_OBJECT_CORRUPT', `archive object ${objectUri} is not readable Parquet: ${reason}`, { ...options, details: { objectUri } });
  }
}
