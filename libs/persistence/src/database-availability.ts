import type { DataSource } from 'typeorm';

/** Network and server-side codes that mean "the database is not there right now", not "this query is wrong". */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', '57P01', '57P02', '57P03']);
const UNAVAILABLE_MESSAGES = /Query read timeout|timeout exceeded when trying to connect|Connection terminated|Driver not Connected|not connected to the database|Client has encountered a connection error|Client was closed and is not queryable/i;

/**
 * Whether `err` (or what it wraps: TypeORM's driverError, an error's cause) says the database could not be reached or
 * stopped answering, as opposed to a query it refused. SQLSTATE class 08 is "connection exception".
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith('08'))) return true;
    if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
    e = (e.driverError ?? e.cause) as typeof e;
  }
  return false;
}

export interface BackgroundConnection {
  /** Resolves once connected, or when `stop()` ends the attempts first. */
  readonly connected: Promise<void>;
  /** Resolves once the first attempt has succeeded or failed. */
  readonly firstAttempt: Promise<void>;
  /** Why the last attempt failed, while not connected. */
  lastError(): string | undefined;
  stop(): void;
}

/**
 * Initialises `ds` in the background, retrying with a backoff doubling from 250 ms up to `maxDelayMs`, so a service
 * starts (and reports itself not ready) while Postgres is down, and connects within `maxDelayMs` of its return.
 * Until then every query on `ds` fails with TypeORM's "Driver not Connected" (see isDatabaseUnavailable).
 */
export function connectInBackground(
  ds: DataSource,
  options: { maxDelayMs?: number; onRetry?: (error: string, delayMs: number) => void } = {},
): BackgroundConnection {
  const maxDelayMs = options.maxDelayMs ?? 2000;
  let lastError: string | undefined = 'connecting';
  let stopped = false;
  let wake: (() => void) | undefined;
  let attempted!: () => void;
  const firstAttempt = new Promise<void>((resolve) => (attempted = resolve));
  const connected = (async () => {
    for (let delay = 250; !stopped; delay = Math.min(delay * 2, maxDelayMs)) {
      try {
        await ds.initialize();
        lastError = undefined;
        return;
      } catch (err) {
        lastError = err instanceof Error ? err.message || err.name : String(err);
        attempted();
        if (stopped) return;
        options.onRetry?.(lastError, delay);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, delay).unref();
        });
      }
    }
  })().finally(() => attempted());
  return {
    connected,
    firstAttempt,
    lastError: () => lastError,
    stop: () => {
      stopped = true;
      wake?.();
    },
  };
}
