import { pause, ServiceApi } from './service-api';

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

/**
 * A small typed client over ServiceApi (retries GETs only, so a replay is never started twice by a retry).
 */
export class ReplayClient {
  private readonly api: ServiceApi;

  constructor(baseUrl: string, token?: string) {
    this.api = new ServiceApi('replay coordinator', baseUrl, token);
  }

  start(request: CreateReplayRequest): Promise<ReplayView> {
    return this.api.post<ReplayView>('/v1/replays', request);
  }

  get(id: string, signal?: AbortSignal): Promise<ReplayView> {
    return this.api.get<ReplayView>(`/v1/replays/${encodeURIComponent(id)}`, undefined, signal);
  }

  list(query: { limit?: number; cursor?: string; state?: ReplayState } = {}): Promise<ReplayPage> {
    return this.api.get<ReplayPage>('/v1/replays', query);
  }

  pause(id: string): Promise<ReplayView> {
    return this.api.post<ReplayView>(`/v1/replays/${encodeURIComponent(id)}/pause`);
  }

  resume(id: string): Promise<ReplayView> {
    return this.api.post<ReplayView>(`/v1/replays/${encodeURIComponent(id)}/resume`);
  }

  cancel(id: string): Promise<ReplayView> {
    return this.api.delete<ReplayView>(`/v1/replays/${encodeURIComponent(id)}`);
  }

  audit(id: string): Promise<{ items: ReplayAuditEntry[] }> {
    return this.api.get<{ items: ReplayAuditEntry[] }>(`/v1/replays/${encodeURIComponent(id)}/audit`);
  }
}

export { pause };
