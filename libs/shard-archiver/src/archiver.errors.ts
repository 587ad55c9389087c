import { FluxError } from '@flux-capacitor/contracts';
import { StreamNotFoundError } from '@flux-capacitor/kinesis';

/** Another instance holds the shard now (our lease counter is stale): stop, write nothing more for it. */
export class LeaseLostError extends FluxError {
  constructor(readonly stream: string, readonly shardId: string) {
    super('conflict', 'LEASE_LOST', `lease on ${stream}/${shardId} was taken over by another archiver`);
  }
}

/** A write intent could not be reproduced from the stream (records trimmed by retention before recovery). */
export class IntentRecoveryError extends FluxError {
  constructor(message: string) {
    super('internal', 'INTENT_RECOVERY_FAILED', message);
  }
}

/** A shard already has an intent for another object: a leftover intent was not recovered first (a bug). */
export class IntentConflictError extends FluxError {
  constructor(readonly stream: string, readonly shardId: string, existing: string, wanted: string) {
    super('internal', 'INTENT_CONFLICT', `${stream}/${shardId} has an intent for ${existing}; cannot record one for ${wanted}`);
  }
}

/** `runOnce` could not archive every shard; names each failure. */
export class ArchiveRunError extends FluxError {
  constructor(readonly stream: string, readonly failures: Record<string, string>) {
    super('unavailable', 'ARCHIVE_RUN_FAILED', `archiving ${stream} failed: ${Object.entries(failures).map(([k, v]) => `${k}: ${v}`).join('; ')}`, { details: { failures } });
  }
}

/** Errors retrying cannot fix. */
export function isPermanent(error: unknown): boolean {
  return (
    error instanceof LeaseLostError ||
    error instanceof StreamNotFoundError ||
    error instanceof IntentRecoveryError ||
    error instanceof IntentConflictError
  );
}
