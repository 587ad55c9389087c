import { createFluxClient, type FluxClient } from '@flux-capacitor/api-client';
import { call, pause, politeFetch, SERVICE_LABELS } from './flux-api';

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
 * The replay coordinator's API through @flux-capacitor/api-client (typed from its OpenAPI document), with the CLI's
 * polite fetch: GETs retried, a POST or DELETE sent once so a replay is never started twice by a retry.
 */
export class ReplayClient {
  private readonly replay: FluxClient['replay'];

  constructor(baseUrl: string, token?: string) {
    const polite = politeFetch(SERVICE_LABELS.replay, baseUrl.replace(/\/+$/, ''));
    this.replay = createFluxClient({
      urls: { replay: baseUrl },
      token,
      fetch: ((input: Request | string | URL, init?: RequestInit) => polite(new Request(input, init))) as typeof fetch,
    }).replay;
  }

  async start(request: CreateReplayRequest): Promise<ReplayView> {
    return (await call('replay', this.replay.POST('/v1/replays', { body: request }))) as unknown as ReplayView;
  }

  async get(id: string, signal?: AbortSignal): Promise<ReplayView> {
    return (await call('replay', this.replay.GET('/v1/replays/{id}', { params: { path: { id } }, signal }))) as unknown as ReplayView;
  }

  async list(query: { limit?: number; cursor?: string; state?: ReplayState } = {}): Promise<ReplayPage> {
    return (await call('replay', this.replay.GET('/v1/replays', { params: { query } }))) as unknown as ReplayPage;
  }

  async pause(id: string): Promise<ReplayView> {
    return (await call('replay', this.replay.POST('/v1/replays/{id}/pause', { params: { path: { id } } }))) as unknown as ReplayView;
  }

  async resume(id: string): Promise<ReplayView> {
    return (await call('replay', this.replay.POST('/v1/replays/{id}/resume', { params: { path: { id } } }))) as unknown as ReplayView;
  }

  async cancel(id: string): Promise<ReplayView> {
    return (await call('replay', this.replay.DELETE('/v1/replays/{id}', { params: { path: { id } } }))) as unknown as ReplayView;
  }

  async audit(id: string): Promise<{ items: ReplayAuditEntry[] }> {
    return (await call('replay', this.replay.GET('/v1/replays/{id}/audit', { params: { path: { id } } }))) as unknown as { items: ReplayAuditEntry[] };
  }
}

export { pause };
