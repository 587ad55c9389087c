/** An RFC 9457 problem as the services answer every error (libs/service-kit ProblemDetailsFilter). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  code?: string;
  detail?: string;
  instance?: string;
  details?: Record<string, unknown>;
}

/**
 * A failed API call: the HTTP status, the stable `code` (STREAM_NOT_FOUND, QUERY_SYNTAX, ...) and the `detail`
 * of the problem the service answered, and a one-line `message` a person can read. `status` is 0 when no answer
 * came (network failure, service not configured).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    /** the whole problem body, with `details` when the service gave any */
    readonly problem: Problem = {},
    options?: { cause?: unknown },
  ) {
    super(oneLine(status, code, detail), options);
  }
}

function oneLine(status: number, code: string, detail: string): string {
  const text = detail.replace(/\s+/g, ' ').trim();
  return status === 0 ? `${code}: ${text}` : `${code}: ${text} (HTTP ${status})`;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The ApiError for an error response and its body (parsed JSON, or text when it was not JSON). A body that is not a
 * problem (a proxy's HTML page) still gives a readable error: the status and the start of the text.
 */
export function apiErrorOf(response: Pick<Response, 'status' | 'statusText'>, body: unknown): ApiError {
  if (isObject(body) && (typeof body.code === 'string' || typeof body.detail === 'string')) {
    const problem = body as Problem;
    return new ApiError(response.status, problem.code ?? `HTTP_${response.status}`, problem.detail ?? problem.title ?? response.statusText, problem);
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return new ApiError(response.status, `HTTP_${response.status}`, text || response.statusText || 'no details');
}

/** The ApiError for a request that got no answer at all (connection refused, DNS, CORS, aborted). */
export function networkError(url: string, err: unknown): ApiError {
  const reason = err instanceof Error ? (err.cause instanceof Error ? `${err.message} (${err.cause.message})` : err.message) : String(err);
  const code = err instanceof Error && err.name === 'AbortError' ? 'ABORTED' : 'NETWORK_ERROR';
  return new ApiError(0, code, `${url}: ${reason}`, {}, { cause: err });
}
