import { parse } from 'lossless-json';
import { ApiError } from './api-error';
import { SERVICE_LABELS, serviceUrl, type ConsoleConfig, type ServiceKey } from './console-config';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  signal?: AbortSignal;
  accept?: string;
}

/**
 * The console's thin HTTP layer: every call carries the bearer token, names its service, and turns any failure into an
 * ApiError with the service's problem details (or "not configured" / "unreachable"). Bodies are parsed with
 * lossless-json where numbers matter (see `requestLossless`).
 */
export class FluxHttp {
  constructor(
    readonly config: ConsoleConfig,
    readonly token: string,
    private readonly onUnauthorized: () => void = () => undefined,
  ) {}

  url(service: ServiceKey, path: string, query?: RequestOptions['query']): string {
    const base = serviceUrl(this.config, service);
    if (base === null) throw new ApiError(0, 'SERVICE_NOT_CONFIGURED', `the ${SERVICE_LABELS[service]} is not configured (FLUX_CONSOLE_${service.toUpperCase()}_URL on the query gateway)`, service);
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${base}${path}${qs ? `?${qs}` : ''}`;
  }

  /** The raw response of a successful call (2xx); anything else is thrown as an ApiError. */
  async fetch(service: ServiceKey, path: string, options: RequestOptions = {}): Promise<Response> {
    const url = this.url(service, path, options.query);
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: options.accept ?? 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url, { method: options.method ?? 'GET', headers, body: options.body === undefined ? undefined : JSON.stringify(options.body), signal: options.signal });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'SERVICE_UNREACHABLE', `cannot reach the ${SERVICE_LABELS[service]} at ${url.split('?')[0]}: is it running?`, service);
    }
    if (!res.ok) {
      const error = await ApiError.fromResponse(res, service);
      if (res.status === 401) this.onUnauthorized();
      throw error;
    }
    return res;
  }

  async request<T>(service: ServiceKey, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(service, path, options);
    return (await res.json()) as T;
  }

  /** Like `request`, but numbers the JS double cannot hold stay exact (LosslessNumber) and never become floats. */
  async requestLossless<T>(service: ServiceKey, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(service, path, options);
    return parse(await res.text()) as T;
  }
}
