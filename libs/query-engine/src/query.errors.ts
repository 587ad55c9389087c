import { FluxError } from '@flux-capacitor/contracts';

/*
 * Errors the query engine raises on purpose. Each fixes its kind and code; the edge maps the kind (service-kit's
 * HTTP_STATUS_OF_KIND: invalid-input 400, not-found 404, conflict 409, unavailable 503, timeout 504), never here.
 */

/** The statement is not a single read-only SELECT/WITH, or touches something outside the archive. */
export class QueryRejectedError extends FluxError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('invalid-input', 'QUERY_REJECTED', message, options);
  }
}

/** DuckDB's parser refused the text; `position` is the 0-based character offset it reported, when it did. */
export class QuerySyntaxError extends FluxError {
  constructor(
    message: string,
    readonly position?: number,
    options?: { cause?: unknown },
  ) {
    super('invalid-input', 'QUERY_SYNTAX', message, { ...options, details: position === undefined ? undefined : { position } });
  }
}

/** The statement parsed but could not run (unknown table or column, type error, ...): the user's to fix. */
export class QueryInvalidError extends FluxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('invalid-input', 'QUERY_INVALID', message, options);
  }
}

export class QueryTimeoutError extends FluxError {
  constructor(timeoutMs: number) {
    super('timeout', 'QUERY_TIMEOUT', `the query ran longer than ${timeoutMs} ms and was interrupted`, { details: { timeoutMs } });
  }
}

/** Cancelled by its caller (DELETE /v1/queries/:id) while it was queued or running. */
export class QueryCancelledError extends FluxError {
  constructor() {
    super('conflict', 'QUERY_CANCELLED', 'the query was cancelled');
  }
}

export class QueryNotFoundError extends FluxError {
  constructor(id: string) {
    super('not-found', 'QUERY_NOT_FOUND', `no query with id ${id} (it may have expired)`, { details: { id } });
  }
}

/** Results asked for before the query finished, or of a query that failed. */
export class QueryNotReadyError extends FluxError {
  constructor(id: string, state: string) {
    super('conflict', 'QUERY_NOT_READY', `query ${id} is ${state}; results are available once it has succeeded`, { details: { id, state } });
  }
}

/** An engine outside this process (Drill) failed or could not be reached. */
export class QueryEngineUnavailableError extends FluxError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', 'QUERY_ENGINE_UNAVAILABLE', message, options);
  }
}

/**
 * An archive object a query reads is not readable Parquet (truncated, corrupt footer or pages). Names the object by
 * its archive URI; the query fails, the gateway goes on. The catalog reports such objects (docs/catalog.md).
 */
export class ArchiveObjectUnreadableError extends FluxError {
  constructor(
    readonly objectUri: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('unavailable', 'ARCHIVE_OBJECT_UNREADABLE', `archive object ${objectUri} cannot be read (corrupt or truncated Parquet): ${reason}`, {
      ...options,
      details: { objectUri },
    });
  }
}

/** The gateway's queue, or the caller's share of it, is full: try again after `retryAfterSeconds` (429 + Retry-After). */
export class QueryOverloadedError extends FluxError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('overloaded', 'QUERY_QUEUE_FULL', `${message}; retry in ${retryAfterSeconds} s`, { details: { retryAfterSeconds } });
  }
}
