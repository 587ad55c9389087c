/**
 * Domain errors of the query engine. Each has a stable code and a kind; the gateway maps the kind to an HTTP
 * status at the edge (rejected/syntax -> 400, not-found -> 404, timeout -> 408 ...), never here.
 */
export type QueryErrorKind = 'invalid' | 'not-found' | 'conflict' | 'unavailable' | 'timeout' | 'cancelled';

export class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: QueryErrorKind = 'invalid',
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The statement is not a single read-only SELECT/WITH, or touches something outside the archive. */
export class QueryRejectedError extends QueryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUERY_REJECTED', message, 'invalid', undefined, options);
  }
}

/** DuckDB's parser refused the text; `position` is the 0-based character offset it reported, when it did. */
export class QuerySyntaxError extends QueryError {
  constructor(message: string, readonly position?: number, options?: { cause?: unknown }) {
    super('QUERY_SYNTAX', message, 'invalid', position === undefined ? undefined : { position }, options);
  }
}

/** The statement parsed but could not run (unknown table or column, type error, ...): the user's to fix. */
export class QueryInvalidError extends QueryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUERY_INVALID', message, 'invalid', undefined, options);
  }
}

export class QueryTimeoutError extends QueryError {
  constructor(timeoutMs: number) {
    super('QUERY_TIMEOUT', `the query ran longer than ${timeoutMs} ms and was interrupted`, 'timeout', { timeoutMs });
  }
}

export class QueryCancelledError extends QueryError {
  constructor() {
    super('QUERY_CANCELLED', 'the query was cancelled', 'cancelled');
  }
}

export class QueryNotFoundError extends QueryError {
  constructor(id: string) {
    super('QUERY_NOT_FOUND', `no query with id ${id} (it may have expired)`, 'not-found', { id });
  }
}

/** Results asked for before the query finished, or of a query that failed. */
export class QueryNotReadyError extends QueryError {
  constructor(id: string, state: string) {
    super('QUERY_NOT_READY', `query ${id} is ${state}; results are available once it has succeeded`, 'conflict', { id, state });
  }
}

/** An engine outside this process (Drill) failed or could not be reached. */
export class QueryEngineUnavailableError extends QueryError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUERY_ENGINE_UNAVAILABLE', message, 'unavailable', undefined, options);
  }
}
