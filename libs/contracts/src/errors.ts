import type { z } from 'zod';

/**
 * What went wrong, in the terms the edges need: the HTTP filter (service-kit `ProblemDetailsFilter`) turns a kind
 * into a status, the SQS server (sqs-transport `sqsOutcomeOf`) into retry or dead-letter. Code that throws names
 * the kind and never a status. `overloaded`: too much work already waits (429); try again later, as `details.retryAfterSeconds` says.
 */
export const ERROR_KINDS = ['invalid-input', 'unauthenticated', 'forbidden', 'not-found', 'conflict', 'unavailable', 'timeout', 'internal', 'overloaded'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export interface FluxErrorOptions {
  /** The error this one explains; kept (ES2022 `cause`) so logs show the whole chain. */
  cause?: unknown;
  /** Machine-readable facts a client can act on (a syntax error's `position`, an id); answered with the error. */
  details?: Record<string, unknown>;
}

/**
 * The one error type of flux-capacitor: a `kind` (what the edges map), a stable machine `code` (what clients and
 * tests match on, e.g. QUERY_SYNTAX), a message for humans, optional `details` and the `cause`. Subclass it only
 * when the subclass carries meaning (a constructor that fixes kind and code, or fields callers read).
 */
export class FluxError extends Error {
  readonly details?: Record<string, unknown>;

  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options: FluxErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options.details !== undefined) this.details = options.details;
  }
}

/** `err` is a FluxError (by class, or by shape when it crossed a copy of this module). */
export function isFluxError(err: unknown): err is FluxError {
  if (err instanceof FluxError) return true;
  if (!(err instanceof Error)) return false;
  const { kind, code } = err as Partial<FluxError>;
  return typeof code === 'string' && (ERROR_KINDS as readonly unknown[]).includes(kind);
}

/** A zod error's issues, one line each: `limit: Too big: expected number to be <=200`; `root` names an empty path. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);

/** A call that got no answer: refused, reset, or timed out (the AWS SDK's TimeoutError), here or in what it wraps. */
export function isNetworkFailure(err: unknown): boolean {
  for (let e = err as { name?: unknown; code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++, e = e.cause as typeof e) {
    if (e.name === 'TimeoutError' || (typeof e.code === 'string' && NETWORK_CODES.has(e.code))) return true;
  }
  return false;
}

export function describeZodIssues(error: z.ZodError, root = '(root)'): string[] {
  return error.issues.map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : root}: ${i.message}`);
}

/** The FluxError for input that failed its zod schema: kind invalid-input, every issue in the message and in `details.issues`. */
export function invalidInput(error: z.ZodError, options: { code?: string; root?: string } = {}): FluxError {
  const root = options.root ?? '(root)';
  return new FluxError('invalid-input', options.code ?? 'INVALID_REQUEST', describeZodIssues(error, root).join('; '), {
    cause: error,
    details: { issues: error.issues.map((i) => ({ path: i.path.length > 0 ? i.path.map(String).join('.') : root, message: i.message })) },
  });
}
