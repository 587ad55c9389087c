import { STATUS_CODES } from 'node:http';
import { isFluxError, isNetworkFailure, type ErrorKind } from '@flux-capacitor/contracts';
import { isDatabaseUnavailable } from '@flux-capacitor/persistence';
import { HttpException } from '@nestjs/common';

/** The one table from an error's kind to its HTTP status. */
export const HTTP_STATUS_OF_KIND: Record<ErrorKind, number> = {
  'invalid-input': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  internal: 500,
  unavailable: 503,
  timeout: 504,
  overloaded: 429,
};

const TITLE_OF_KIND: Record<ErrorKind, string> = {
  'invalid-input': 'Invalid input',
  unauthenticated: 'Unauthenticated',
  forbidden: 'Forbidden',
  'not-found': 'Not found',
  conflict: 'Conflict',
  internal: 'Internal error',
  unavailable: 'Unavailable',
  timeout: 'Timeout',
  overloaded: 'Too many requests',
};

/** What a client reads when a kind is internal or an error is not ours: the log has the rest. */
export const INTERNAL_DETAIL = 'internal error; the service log has the details';

/**
 * An error answer (RFC 9457 `application/problem+json`). `type` and `title` name the kind and never change for it;
 * `code` is the stable machine code (QUERY_SYNTAX, REPLAY_NOT_FOUND, ...); `detail` explains this occurrence;
 * `instance` is the request path; `details` carries the error's machine-readable facts when it has any.
 */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  details?: Record<string, unknown>;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const typeOf = (kind: ErrorKind) => `urn:flux-capacitor:problem:${kind}`;

/** The kind a Nest HttpException's status stands for, so `type` is the same whoever threw. */
const KIND_OF_STATUS = new Map<number, ErrorKind>([
  ...Object.entries(HTTP_STATUS_OF_KIND).map(([kind, status]) => [status, kind as ErrorKind] as const),
  [408, 'timeout'],
]);

/** Any thrown value as the problem to answer; `internal` tells the caller to log it with its stack. */
export function problemOf(err: unknown, instance: string): { problem: ProblemDetails; internal: boolean } {
  if (isFluxError(err)) {
    const internal = err.kind === 'internal';
    const problem: ProblemDetails = {
      type: typeOf(err.kind),
      title: TITLE_OF_KIND[err.kind],
      status: HTTP_STATUS_OF_KIND[err.kind],
      detail: internal ? INTERNAL_DETAIL : err.message,
      instance,
      // An internal error's own code names our code's insides, as its message does: the log has both.
      code: internal ? 'INTERNAL' : err.code,
    };
    if (err.details !== undefined && !internal) problem.details = err.details;
    return { problem, internal };
  }
  const bodyProblem = err instanceof HttpException ? bodyParserProblem(err.cause, instance) : undefined;
  if (bodyProblem) return { problem: bodyProblem, internal: false };
  if (err instanceof HttpException) {
    // Nest's own: validation pipes (400), unknown routes (404), payload limits (413), ...
    const status = err.getStatus();
    const kind = KIND_OF_STATUS.get(status);
    const body = err.getResponse();
    const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? err.message);
    const code =
      err.constructor === HttpException
        ? `HTTP_${status}`
        : err.constructor.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    return {
      problem: {
        type: kind ? typeOf(kind) : 'about:blank',
        title: kind ? TITLE_OF_KIND[kind] : (STATUS_CODES[status] ?? `HTTP ${status}`),
        status,
        detail: status >= 500 ? INTERNAL_DETAIL : Array.isArray(message) ? message.join('; ') : String(message),
        instance,
        code,
      },
      internal: status >= 500,
    };
  }
  // A dependency down or partitioned (Postgres, an AWS endpoint): the request may succeed once it is back, which
  // 503 tells the client. The log keeps the error itself.
  // The AWS SDK marks what its clients throw with `$metadata`; refused or reset alone could come from either.
  const fromAws = typeof err === 'object' && err !== null && '$metadata' in err;
  const unavailable = !fromAws && isDatabaseUnavailable(err) ? 'the database' : isNetworkFailure(err) ? 'a dependency' : undefined;
  if (unavailable) {
    const code = unavailable === 'the database' ? 'DATABASE_UNAVAILABLE' : 'DEPENDENCY_UNAVAILABLE';
    const detail = `${unavailable} did not answer; retry later`;
    return { problem: { type: typeOf('unavailable'), title: TITLE_OF_KIND.unavailable, status: 503, detail, instance, code }, internal: false };
  }
  return {
    problem: { type: typeOf('internal'), title: TITLE_OF_KIND.internal, status: 500, detail: INTERNAL_DETAIL, instance, code: 'INTERNAL' },
    internal: true,
  };
}

/** What body-parser attaches to its errors (http-errors), which Nest keeps as the cause of the HttpException it throws. */
interface BodyParserError {
  type?: unknown;
  message: string;
  limit?: unknown;
  length?: unknown;
}

/**
 * A request body the parser refused, in our own words: malformed JSON (400 MALFORMED_JSON, with the parser's
 * message and position) and a body over FLUX_API_MAX_BODY_BYTES (413 PAYLOAD_TOO_LARGE, naming the limit).
 */
function bodyParserProblem(cause: unknown, instance: string): ProblemDetails | undefined {
  if (!(cause instanceof Error)) return undefined;
  const { type, limit, length } = cause as BodyParserError;
  if (type === 'entity.parse.failed') {
    return {
      type: typeOf('invalid-input'),
      title: TITLE_OF_KIND['invalid-input'],
      status: 400,
      detail: `the request body is not valid JSON: ${cause.message}`,
      instance,
      code: 'MALFORMED_JSON',
    };
  }
  if (type === 'entity.too.large') {
    return {
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      detail: `the request body${typeof length === 'number' ? ` (${length} bytes)` : ''} is larger than the limit of ${String(limit)} bytes (FLUX_API_MAX_BODY_BYTES)`,
      instance,
      code: 'PAYLOAD_TOO_LARGE',
      details: { limit, ...(typeof length === 'number' ? { length } : {}) },
    };
  }
  return undefined;
}
