import { StreamNotFoundError } from '@flux-capacitor/kinesis';

/** Errors the archiver raises on purpose; each has a stable code. */
export class ArchiverError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Another instance holds the shard now (our lease counter is stale): stop, write nothing more for it. */
export class LeaseLostError extends ArchiverError {
  constructor(readonly stream: string, readonly shardId: string) {
    super('LEASE_LOST', `lease on ${stream}/${shardId} was taken over by another archiver`);
  }
}


/** A write intent could not be reproduced from the stream (records trimmed by retention before recovery). */
export class IntentRecoveryError extends ArchiverError {
  constructor(message: string) {
    super('INTENT_RECOVERY_FAILED', message);
  }
}

/** `runOnce` could not archive every shard; names each failure. */
export class ArchiveRunError extends ArchiverError {
  constructor(readonly stream: string, readonly failures: Record<string, string>) {
    super('ARCHIVE_RUN_FAILED', `archiving ${stream} failed: ${Object.entries(failures).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
  }
}

/** Errors retrying cannot fix. */
export function isPermanent(error: unknown): boolean {
  return error instanceof LeaseLostError || error instanceof StreamNotFoundError || error instanceof IntentRecoveryError;
}
