import type { Logger } from '@nestjs/common';
import { StreamNotFoundError } from './kinesis.errors';

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Exponential backoff with full jitter: attempt 0 -> up to base, doubling, capped at max. */
export function backoffDelay(attempt: number, baseMs = 200, maxMs = 10_000, random = Math.random): number {
  const cap = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.max(baseMs / 2, Math.floor(random() * cap));
}

export class AbortedError extends Error {
  readonly code = 'ABORTED';
  constructor(what: string) {
    super(`${what}: aborted`);
    this.name = 'AbortedError';
  }
}

/**
 * Runs `fn` until it succeeds, backing off between failures. Permanent errors (`isPermanent`; by default a missing
 * stream) and an aborted `signal` end the retries; every other failure (S3, SQS, Postgres unreachable) is logged
 * and retried.
 */
export async function retry<T>(
  what: string,
  fn: () => Promise<T>,
  options: {
    signal?: AbortSignal;
    logger?: Logger;
    baseMs?: number;
    maxMs?: number;
    context?: Record<string, unknown>;
    isPermanent?: (error: unknown) => boolean;
  } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw new AbortedError(what);
    try {
      return await fn();
    } catch (error) {
      if ((options.isPermanent ?? isStreamNotFound)(error) || options.signal?.aborted) throw error;
      const delay = backoffDelay(attempt, options.baseMs, options.maxMs);
      options.logger?.warn({
        msg: `${what} failed; retrying`,
        ...options.context,
        attempt: attempt + 1,
        retryInMs: delay,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      });
      await sleep(delay, options.signal);
    }
  }
}

const isStreamNotFound = (error: unknown) => error instanceof StreamNotFoundError;
