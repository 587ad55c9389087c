import { isFluxError, type ErrorKind } from '@flux-capacitor/contracts';

/**
 * What a handler's error means for its message, by kind: `dead-letter` when the message can never succeed as it
 * is (it is invalid, refers to something that does not exist, or conflicts with the state it meets), `retry` when
 * the world may change (a dependency is down or slow, credentials get fixed, a bug gets fixed). The one table;
 * handlers throw a FluxError with a kind and never decide this themselves.
 */
export const SQS_ACTION_OF_KIND: Record<ErrorKind, 'retry' | 'dead-letter'> = {
  'invalid-input': 'dead-letter',
  'not-found': 'dead-letter',
  conflict: 'dead-letter',
  unauthenticated: 'retry',
  forbidden: 'retry',
  unavailable: 'retry',
  timeout: 'retry',
  internal: 'retry',
  overloaded: 'retry',
};

/** The longest a retried message waits, unless the visibility timeout itself is longer. */
export const MAX_RETRY_DELAY_SECONDS = 900;

export type SqsOutcome =
  /** Hide the message for `delaySeconds`, then it is received again (until the redrive policy's maxReceiveCount). */
  | { action: 'retry'; delaySeconds: number }
  /** Move it to the dead-letter queue now, with `reason` (`CODE: message`). */
  | { action: 'dead-letter'; reason: string };

/**
 * The outcome of a failed delivery: the action of the error's kind (anything that is not a FluxError is
 * `internal`: retried), and for a retry a backoff doubling from the visibility timeout with each receive.
 */
export function sqsOutcomeOf(err: unknown, receiveCount: number, visibilityTimeoutSeconds: number): SqsOutcome {
  const kind: ErrorKind = isFluxError(err) ? err.kind : 'internal';
  if (SQS_ACTION_OF_KIND[kind] === 'dead-letter' && isFluxError(err)) return { action: 'dead-letter', reason: `${err.code}: ${err.message}` };
  return { action: 'retry', delaySeconds: retryDelaySeconds(receiveCount, visibilityTimeoutSeconds) };
}

/** visibility, 2x, 4x ... per receive, capped at MAX_RETRY_DELAY_SECONDS (or the visibility timeout, when longer). */
export function retryDelaySeconds(receiveCount: number, visibilityTimeoutSeconds: number): number {
  const doubled = visibilityTimeoutSeconds * 2 ** Math.min(Math.max(receiveCount - 1, 0), 20);
  return Math.min(doubled, Math.max(visibilityTimeoutSeconds, MAX_RETRY_DELAY_SECONDS));
}
