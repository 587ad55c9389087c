import { CliError } from './cli-error';
import { cliEnv } from './cli-env';

/**
 * Untyped calls for the endpoints the OpenAPI documents do not describe yet (the archiver's `/v1/streams`, the
 * gateway's tail); everything else goes through the typed client in flux-api.ts. Bearer token, JSON, problem details
 * turned into one readable line. Only GETs are retried (safe to repeat).
 */

export type ServiceKey = 'archiver' | 'catalog' | 'query' | 'replay';

const SERVICES: Record<ServiceKey, { label: string; variable: string }> = {
  archiver: { label: 'archiver', variable: 'FLUX_ARCHIVER_URL' },
  catalog: { label: 'catalog', variable: 'FLUX_CATALOG_URL' },
  query: { label: 'query gateway', variable: 'FLUX_QUERY_URL' },
  replay: { label: 'replay coordinator', variable: 'FLUX_REPLAY_URL' },
};

/** A response other than 2xx, as one line: `catalog: HTTP 403: token may not read stream payments`. */
export class ApiHttpError extends CliError {
  constructor(
    readonly service: string,
    readonly status: number,
    readonly code: string | undefined,
    readonly detail: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(`${service}: HTTP ${status}: ${detail}`);
    this.name = 'ApiHttpError';
  }
}

/** Statuses a GET may retry: the service is restarting or asks us to slow down. */
const RETRYABLE = new Set([429, 502, 503, 504]);
const GET_ATTEMPTS = 4;
/** Bound of one call: a service that stops answering (a partition) fails the call, which GETs then retry. */
const REQUEST_TIMEOUT_MS = 30_000;

export type QueryParams = Record<string, string | number | undefined>;

export class ServiceApi {
  readonly baseUrl: string;

  constructor(
    readonly label: string,
    baseUrl: string,
    private readonly token?: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  get<T>(path: string, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.json<T>('GET', withQuery(path, query), undefined, signal);
  }

  post<T>(path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.json<T>('POST', path, body, signal);
  }

  delete<T>(path: string, signal?: AbortSignal): Promise<T> {
    return this.json<T>('DELETE', path, undefined, signal);
  }

  private async json<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return (await (await this.request(method, path, body, signal)).json()) as T;
  }

  /** The raw 2xx response (for streamed bodies); anything else becomes an ApiHttpError. */
  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const attempts = method === 'GET' ? GET_ATTEMPTS : 1;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const bounded = signal ? AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS);
        res = await fetch(`${this.baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: bounded });
      } catch (err) {
        if (signal?.aborted) throw err;
        if (attempt < attempts) {
          await pause(backoffMs(attempt), signal);
          continue;
        }
        // CliError takes no options; keep the original error as the cause all the same.
        throw Object.assign(new CliError(`${this.label} unreachable at ${this.baseUrl}: ${networkReason(err)}`), { cause: err });
      }
      if (res.ok) return res;
      if (RETRYABLE.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await pause(retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt), signal);
        continue;
      }
      const text = await res.text();
      const problem = parseProblem(text);
      throw new ApiHttpError(this.label, res.status, problem.code, problem.detail ?? (text.trim().split('\n')[0] || res.statusText || 'no reason given'), problem.details);
    }
  }
}

/** The client of one service from its URL setting and FLUX_API_TOKEN, or undefined when the URL is not set. */
export function serviceApi(key: ServiceKey): ServiceApi | undefined {
  const { label, variable } = SERVICES[key];
  const url = { archiver: cliEnv.archiverUrl, catalog: cliEnv.catalogUrl, query: cliEnv.queryUrl, replay: cliEnv.replayUrl }[key];
  if (!url) return undefined;
  if (!URL.canParse(url)) throw new CliError(`${variable} is not a URL: ${url}`);
  return new ServiceApi(label, url, cliEnv.apiToken);
}

export function withQuery(path: string, query?: QueryParams): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The parts of an RFC 9457 problem body (`detail`, `code`, `details`); nothing when the body is not one. */
export function parseProblem(text: string): { code?: string; detail?: string; details?: Record<string, unknown> } {
  try {
    const body = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown; details?: unknown };
    const detail = typeof body.detail === 'string' ? body.detail : typeof body.title === 'string' ? body.title : undefined;
    const details = typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : undefined;
    return { code: typeof body.code === 'string' ? body.code : undefined, detail, details };
  } catch {
    return {};
  }
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND) is in its cause. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

const backoffMs = (attempt: number) => 250 * 2 ** (attempt - 1);

/** Retry-After in seconds (the only form we honour), capped so a waiting CLI stays responsive. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

/** Sleeps, but wakes (rejecting) as soon as the signal aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
