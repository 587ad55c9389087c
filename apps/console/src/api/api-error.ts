/** An RFC 9457 problem as the services answer errors (libs/service-kit/src/errors). */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code?: string;
  detail?: string;
  details?: Record<string, unknown>;
}

/**
 * A failed API call, with the service's own words: `code` and `detail` from its problem details, or what went wrong on
 * the way (service not reachable, not configured). `message` is one readable line.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly service: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${detail} (${code}${status ? `, HTTP ${status}` : ''})`);
    this.name = 'ApiError';
  }

  /** The service could not be reached at all (down, wrong URL, CORS refused). */
  get unreachable(): boolean {
    return this.code === 'SERVICE_UNREACHABLE';
  }

  static async fromResponse(res: Response, service: string): Promise<ApiError> {
    const text = await res.text().catch(() => '');
    try {
      const problem = JSON.parse(text) as Partial<Problem>;
      if (problem && typeof problem === 'object' && (problem.detail || problem.title)) {
        return new ApiError(res.status, problem.code ?? `HTTP_${res.status}`, problem.detail ?? problem.title ?? res.statusText, service, problem.details);
      }
    } catch {
      // not JSON: a proxy's error page, say
    }
    return new ApiError(res.status, `HTTP_${res.status}`, text.trim().slice(0, 200) || res.statusText || 'request failed', service);
  }
}

/** Any thrown value as an ApiError-like line for display. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  if (err instanceof Error) return err.message;
  return String(err);
}
