/** A metastore (Hive, Glue, Drill) refused or failed a sync call; the cause is kept. */
export class MetastoreSyncError extends Error {
  readonly code = 'METASTORE_SYNC_FAILED';
  constructor(
    readonly metastore: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${metastore}: ${message}`, options);
    this.name = 'MetastoreSyncError';
  }
}
