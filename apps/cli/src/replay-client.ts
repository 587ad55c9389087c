import { CliError } from './cli-error';

/** The replay coordinator's HTTP API (`/v1/replays`), as the CLI uses it. */

export const REPLAY_STATES = ['planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type ReplayState = (typeof REPLAY_STATES)[number];

export type ReplayPace = { mode: 'max'; reserve?: number } | { mode: 'rate'; recordsPerSecond: number } | { mode: 'original'; factor: number };

/** The body of `POST /v1/replays`. */
export interface CreateReplayRequest {
  source: string;
  target?: string;
  from?: string;
  until?: string;
  fromSequence?: Record<string, string>;
  untilSequence?: Record<string, string>;
  where?: string;
  compact?: { key: string; tombstone?: string; deletes?: 'replay' | 'drop' };
  annotations?: Record<string, string>;
  pace?: ReplayPace;
  format?: 'envelope' | 'raw';
  dryRun?: boolean;
}

export interface ReplayProgress {
  selected: number;
  put: number;
  failed: number;
  bytesSelected: number;
  bytesPut: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

export interface ReplaySampleRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  key: string | null;
  op: string;
  payload: unknown;
}

export interface ReplayPlan {
  records: number;
  bytes: number;
  distinctKeys: number;
  perShard: Record<string, number>;
  objects: number;
  liveRecords: number;
  sample: ReplaySampleRecord[];
  estimatedSeconds: number;
  watermarks: Record<string, string>;
}

export interface ReplayView {
  id: string;
  state: ReplayState;
  source: string;
  target: string;
  dryRun: boolean;
  spec: CreateReplayRequest;
  createdBy: string;
  createdAt: string;
  startedAt?: string | null;
  finishedAt?: string | null;
  progress: ReplayProgress;
  plan: ReplayPlan | null;
  error: { code: string; message: string } | null;
}

export interface ReplayPage {
  items: ReplayView[];
  nextCursor: string | null;
}

export interface ReplayAuditEntry {
  at: string;
  actor: string;
  action: string;
  detail: unknown;
}

/** A response other than 2xx, as one line: `replay coordinator: HTTP 409: replay is completed`. */
export class ReplayHttpError extends CliError {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    reason: string,
  ) {
    super(`replay coordinator: HTTP ${status}: ${reason}`);
    this.name = 'ReplayHttpError';
  }
}

/** Statuses a GET may retry: the coordinator is restarting or asks us to slow down. */
const RETRYABLE = new Set([429, 502, 503, 504]);
const GET_ATTEMPTS = 4;
/** Bound of one call: a coordinator that stops answering (a partition) fails the call, which GETs then retry. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * A small typed client. Only GETs are retried (they are safe to repeat); a POST or DELETE fails at once so a
 * replay is never started twice by a retry.
 */
export class ReplayClient {
  private readonly baseUrl: string;

  constructor(
    baseUrl: string,
    private readonly token?: string,
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  start(request: CreateReplayRequest): Promise<ReplayView> {
    return this.call<ReplayView>('POST', '/v1/replays', request);
  }

  get(id: string, signal?: AbortSignal): Promise<ReplayView> {
    return this.call<ReplayView>('GET', `/v1/replays/${encodeURIComponent(id)}`, undefined, signal);
  }

  list(query: { limit?: number; cursor?: string; state?: ReplayState } = {}): Promise<ReplayPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor) params.set('cursor', query.cursor);
    if (query.state) params.set('state', query.state);
    const qs = params.toString();
    return this.call<ReplayPage>('GET', `/v1/replays${qs ? `?${qs}` : ''}`);
  }

  pause(id: string): Promise<ReplayView> {
    return this.call<ReplayView>('POST', `/v1/replays/${encodeURIComponent(id)}/pause`);
  }

  resume(id: string): Promise<ReplayView> {
    return this.call<ReplayView>('POST', `/v1/replays/${encodeURIComponent(id)}/resume`);
  }

  cancel(id: string): Promise<ReplayView> {
    return this.call<ReplayView>('DELETE', `/v1/replays/${encodeURIComponent(id)}`);
  }

  audit(id: string): Promise<{ items: ReplayAuditEntry[] }> {
    return this.call<{ items: ReplayAuditEntry[] }>('GET', `/v1/replays/${encodeURIComponent(id)}/audit`);
  }

  private async call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
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
        throw Object.assign(new CliError(`replay coordinator unreachable at ${this.baseUrl}: ${networkReason(err)}`), { cause: err });
      }
      if (res.ok) return (await res.json()) as T;
      if (RETRYABLE.has(res.status) && attempt < attempts) {
        await res.body?.cancel();
        await pause(retryAfterMs(res.headers.get('retry-after')) ?? backoffMs(attempt), signal);
        continue;
      }
      const text = await res.text();
      const parsed = parseErrorBody(text);
      throw new ReplayHttpError(res.status, parsed.code, parsed.message ?? (text.trim().split('\n')[0] || res.statusText || 'no reason given'));
    }
  }
}

/** The reason of an RFC 9457 problem body (`detail`, `code`), or nothing when the body is not one. */
function parseErrorBody(text: string): { code?: string; message?: string } {
  try {
    const body = JSON.parse(text) as { code?: unknown; detail?: unknown };
    return { code: typeof body.code === 'string' ? body.code : undefined, message: typeof body.detail === 'string' ? body.detail : undefined };
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
