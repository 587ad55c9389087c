import { ApiError, createFluxClient, type FluxClient } from '@flux-capacitor/api-client';
import { cliEnv } from './cli-env';
import { CliError } from './cli-error';

/**
 * The CLI's typed client of the four HTTP APIs (@flux-capacitor/api-client, typed from the services' OpenAPI
 * documents), with what a command line needs on top: GETs retried on 429/502/503/504 and network failures (safe to
 * repeat; a POST or DELETE is sent once, so a replay is never started twice), every wait for an answer bounded
 * in time (not a whole download), and errors
 * as one line naming the service: `catalog: HTTP 403: token may not read stream payments`.
 */

export type ServiceKey = 'archiver' | 'catalog' | 'query' | 'replay';

export const SERVICE_LABELS: Record<ServiceKey, string> = { archiver: 'archiver', catalog: 'catalog', query: 'query gateway', replay: 'replay coordinator' };
const SERVICE_VARIABLES: Record<ServiceKey, string> = {
  archiver: 'FLUX_ARCHIVER_URL',
  catalog: 'FLUX_CATALOG_URL',
  query: 'FLUX_QUERY_URL',
  replay: 'FLUX_REPLAY_URL',
};

const RETRYABLE = new Set([429, 502, 503, 504]);
const GET_ATTEMPTS = 4;
/**
 * Bound of the wait for a response's headers, and then for each next piece of its body: a service that stops
 * answering (a partition) fails the call, which GETs then retry. Not a bound of the whole call, so a long download (a
 * query's CSV export) runs as long as data keeps coming.
 */
const REQUEST_TIMEOUT_MS = 30_000;

export const serviceUrl = (key: ServiceKey): string | undefined =>
  ({ archiver: cliEnv.archiverUrl, catalog: cliEnv.catalogUrl, query: cliEnv.queryUrl, replay: cliEnv.replayUrl })[key];

/** A fetch that bounds each call, retries GETs, and says which service could not be reached and why. */
export function politeFetch(
  label: string,
  baseUrl: string,
  fetchFn: typeof fetch = fetch,
  timeoutMs = REQUEST_TIMEOUT_MS,
): (request: Request) => Promise<Response> {
  return async (request: Request) => {
    const attempts = request.method === 'GET' ? GET_ATTEMPTS : 1;
    const callerSignal = request.signal;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const timeout = new IdleTimeout(timeoutMs);
        const bounded = new Request(request.clone(), { signal: AbortSignal.any([callerSignal, timeout.signal]) });
        res = timeout.watchBody(await fetchFn(bounded));
      } catch (err) {
        if (callerSignal.aborted) throw err;
        if (attempt < attempts) {
          await pause(250 * 2 ** (attempt - 1), callerSignal);
          continue;
        }
        throw Object.assign(new CliError(`${label} unreachable at ${baseUrl}: ${networkReason(err)}`), { cause: err });
      }
      if (RETRYABLE.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await pause(retryAfterMs(res.headers.get('retry-after')) ?? 250 * 2 ** (attempt - 1), callerSignal);
        continue;
      }
      return res;
    }
  };
}

/** The client for every service whose URL is set, sending FLUX_API_TOKEN. */
export function fluxClient(): FluxClient {
  const urls = { archiver: serviceUrl('archiver'), catalog: serviceUrl('catalog'), query: serviceUrl('query'), replay: serviceUrl('replay') };
  for (const key of Object.keys(urls) as ServiceKey[]) {
    const url = urls[key];
    if (url && !URL.canParse(url)) throw new CliError(`${SERVICE_VARIABLES[key]} is not a URL: ${url}`);
  }
  // One polite fetch per service, so a network failure names the service and its URL.
  const byOrigin = new Map<string, (r: Request) => Promise<Response>>();
  for (const key of Object.keys(urls) as ServiceKey[]) {
    const url = urls[key];
    if (url) byOrigin.set(url.replace(/\/+$/, ''), politeFetch(SERVICE_LABELS[key], url.replace(/\/+$/, '')));
  }
  const route = (input: string | URL | Request, init?: RequestInit) => {
    const request = new Request(input, init);
    for (const [base, f] of byOrigin) if (request.url.startsWith(base)) return f(request);
    return fetch(request);
  };
  return createFluxClient({ urls, token: cliEnv.apiToken, fetch: route as typeof fetch });
}

/** Whether the service's URL is set (else commands fall back to embedded access, or say what to set). */
export const hasService = (key: ServiceKey) => Boolean(serviceUrl(key));

export function requireService(key: ServiceKey, command: string): void {
  if (!hasService(key))
    throw new CliError(`${command} needs the ${key === 'query' ? 'gateway' : SERVICE_LABELS[key]}: set ${SERVICE_VARIABLES[key]} (and FLUX_API_TOKEN), e.g. source .flux/dev.env`);
}

interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a typed call, or a one-line CliError: `catalog: HTTP 404: the catalog has no stream x`. */
export async function call<T>(key: ServiceKey, pending: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await pending;
  } catch (err) {
    // The client wraps what fetch threw (our own "unreachable" CliError included) in an ApiError of status 0.
    if (err instanceof ApiError && err.cause instanceof CliError) throw err.cause;
    if (err instanceof ApiError && err.code === 'SERVICE_NOT_CONFIGURED')
      throw new CliError(`${SERVICE_VARIABLES[key]} is not set: point it at the ${SERVICE_LABELS[key]} (e.g. source .flux/dev.env)`);
    throw err;
  }
  const { data, error, response } = result;
  if (response.ok && error === undefined) return data as T;
  const body = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; detail?: unknown; title?: unknown; details?: unknown };
  const detail =
    typeof body.detail === 'string'
      ? body.detail
      : typeof body.title === 'string'
        ? body.title
        : typeof error === 'string' && error.trim()
          ? error.trim().split('\n')[0]
          : response.statusText || 'no reason given';
  throw new ApiHttpError(
    SERVICE_LABELS[key],
    response.status,
    typeof body.code === 'string' ? body.code : undefined,
    detail,
    typeof body.details === 'object' && body.details !== null ? (body.details as Record<string, unknown>) : undefined,
  );
}

/**
 * Aborts its signal when the other side keeps us waiting `ms`: for the response headers, then for each next chunk of
 * the body, counted only while someone reads it (a pager showing a CSV export may pause the download for minutes).
 */
class IdleTimeout {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  readonly signal = this.controller.signal;

  constructor(private readonly ms: number) {
    this.start();
  }

  /** The response (headers arrived: the clock stops), its body restarting the clock for each read. */
  watchBody(res: Response): Response {
    this.stop();
    // A Response with a null-body status (204, 304) cannot be rebuilt with a body.
    if (!res.body || [101, 204, 205, 304].includes(res.status)) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          this.start();
          try {
            const next = await reader.read();
            if (next.done) controller.close();
            else controller.enqueue(next.value);
          } finally {
            this.stop();
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  }

  private start(): void {
    this.timer = setTimeout(() => this.controller.abort(new DOMException(`no answer within ${this.ms} ms`, 'TimeoutError')), this.ms);
  }

  private stop(): void {
    clearTimeout(this.timer);
  }
}

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND) is in its cause. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/** Retry-After in seconds (the only form we honour), capped so a waiting CLI stays responsive. */
function retryAfterMs(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 30) * 1000 : undefined;
}

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
