/** What the replay coordinator answers on `GET /v1/replays/:id/watermarks`. */
export interface ReplayWatermarks {
  replayId: string;
  sourceStream: string;
  targetStream: string;
  state: 'planned' | 'running' | 'paused' | 'completed' | 'failed' | 'cancelled';
  /** Per source shard, the last sequence number the replay includes. */
  watermarks: { shardId: string; sequenceNumber: string }[];
  /** The source stream's shard lineage when the replay started. */
  shards: { shardId: string; parentShardId: string | null; adjacentParentShardId: string | null }[];
}

export interface WatermarkSource {
  get(replayId: string): Promise<ReplayWatermarks>;
}

export type WatermarkErrorCode = 'UNAUTHORIZED' | 'NOT_FOUND' | 'UNAVAILABLE' | 'INVALID_RESPONSE';

export class WatermarkError extends Error {
  constructor(
    readonly code: WatermarkErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'WatermarkError';
  }
}

const TERMINAL_STATES: ReadonlySet<string> = new Set(['completed', 'failed', 'cancelled']);
const STATES: ReadonlySet<string> = new Set(['planned', 'running', 'paused', 'completed', 'failed', 'cancelled']);

/** Watermarks from a fixed map: tests, and consumers that ship the documents themselves. */
export class StaticWatermarkSource implements WatermarkSource {
  private readonly docs: Map<string, ReplayWatermarks>;

  constructor(docs: Iterable<ReplayWatermarks> = []) {
    this.docs = new Map([...docs].map((d) => [d.replayId, d]));
  }

  set(doc: ReplayWatermarks): void {
    this.docs.set(doc.replayId, doc);
  }

  async get(replayId: string): Promise<ReplayWatermarks> {
    const doc = this.docs.get(replayId);
    if (!doc) throw new WatermarkError('NOT_FOUND', `no watermarks for replay ${replayId}`);
    return doc;
  }
}

export interface HttpWatermarkSourceOptions {
  /** The replay coordinator, e.g. `http://127.0.0.1:7104` (FLUX_REPLAY_URL). */
  baseUrl: string;
  /** Bearer token (FLUX_API_TOKEN). */
  token?: string;
  /** How long the document of a replay that has not ended is reused before it is asked for again. */
  ttlMs?: number;
  fetch?: typeof fetch;
  /** Bound of one request (default 10 s): a coordinator that stops answering fails the call instead of hanging it. */
  timeoutMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Watermarks from the replay coordinator's HTTP API, cached per replay: a replay that ended (completed, failed,
 * cancelled) cannot change, so its document is kept for good; others are asked for again after `ttlMs`. Concurrent
 * requests for the same replay share one HTTP call.
 */
export class HttpWatermarkSource implements WatermarkSource {
  private readonly cache = new Map<string, { doc: ReplayWatermarks; fetchedAt: number }>();
  private readonly inFlight = new Map<string, Promise<ReplayWatermarks>>();
  private readonly baseUrl: string;
  private readonly ttlMs: number;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;

  constructor(private readonly options: HttpWatermarkSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.ttlMs = options.ttlMs ?? 5000;
    this.fetchFn = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
  }

  async get(replayId: string): Promise<ReplayWatermarks> {
    const cached = this.cache.get(replayId);
    if (cached && (TERMINAL_STATES.has(cached.doc.state) || this.now() - cached.fetchedAt < this.ttlMs)) return cached.doc;
    let pending = this.inFlight.get(replayId);
    if (!pending) {
      pending = this.load(replayId).finally(() => this.inFlight.delete(replayId));
      this.inFlight.set(replayId, pending);
    }
    return pending;
  }

  private async load(replayId: string): Promise<ReplayWatermarks> {
    const url = `${this.baseUrl}/v1/replays/${encodeURIComponent(replayId)}/watermarks`;
    let res: Response;
    try {
      res = await this.fetchFn(url, {
        headers: { accept: 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new WatermarkError('UNAVAILABLE', `cannot reach the replay coordinator at ${url}: ${reason}`, { cause: error });
    }
    if (res.status === 401 || res.status === 403) {
      throw new WatermarkError(
        'UNAUTHORIZED',
        `the replay coordinator refused the watermarks of replay ${replayId} (HTTP ${res.status}): ${this.options.token ? 'check the API token' : 'no API token given (FLUX_API_TOKEN)'}`,
      );
    }
    if (res.status === 404) throw new WatermarkError('NOT_FOUND', `replay ${replayId} is unknown to the replay coordinator at ${this.baseUrl}`);
    if (!res.ok) throw new WatermarkError('UNAVAILABLE', `the replay coordinator answered HTTP ${res.status} for ${url}`);
    let body: unknown;
    try {
      body = await res.json();
    } catch (error) {
      throw new WatermarkError('INVALID_RESPONSE', `the watermarks of replay ${replayId} are not JSON`, { cause: error });
    }
    const doc = checkWatermarks(body, replayId);
    this.cache.set(replayId, { doc, fetchedAt: this.now() });
    return doc;
  }
}

function checkWatermarks(body: unknown, replayId: string): ReplayWatermarks {
  const invalid = (what: string) => new WatermarkError('INVALID_RESPONSE', `the watermarks of replay ${replayId}: ${what}`);
  const b = body as Partial<ReplayWatermarks> | null;
  if (typeof b !== 'object' || b === null) throw invalid('not a JSON object');
  if (b.replayId !== replayId) throw invalid(`replayId is ${JSON.stringify(b.replayId)}`);
  if (typeof b.sourceStream !== 'string' || typeof b.targetStream !== 'string') throw invalid('sourceStream and targetStream must be strings');
  if (typeof b.state !== 'string' || !STATES.has(b.state)) throw invalid(`unknown state ${JSON.stringify(b.state)}`);
  if (!Array.isArray(b.watermarks) || b.watermarks.some((w) => typeof w?.shardId !== 'string' || !/^\d+$/.test(String(w?.sequenceNumber)))) {
    throw invalid('watermarks must be a list of { shardId, sequenceNumber }');
  }
  const shards = b.shards ?? [];
  if (!Array.isArray(shards) || shards.some((s) => typeof s?.shardId !== 'string')) throw invalid('shards must be a list of { shardId, parentShardId, adjacentParentShardId }');
  return {
    replayId: b.replayId,
    sourceStream: b.sourceStream,
    targetStream: b.targetStream,
    state: b.state,
    watermarks: b.watermarks.map((w) => ({ shardId: w.shardId, sequenceNumber: String(w.sequenceNumber) })),
    shards: shards.map((s) => ({ shardId: s.shardId, parentShardId: s.parentShardId ?? null, adjacentParentShardId: s.adjacentParentShardId ?? null })),
  };
}
