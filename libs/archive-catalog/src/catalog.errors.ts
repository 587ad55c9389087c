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
