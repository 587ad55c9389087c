import { randomUUID } from 'node:crypto';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { isAllowedTarget } from '@flux-capacitor/config';
import { listShards, StreamNotFoundError } from '@flux-capacitor/kinesis';
import type { Replay } from '@flux-capacitor/persistence';
import { FluxError, isFluxError } from '@flux-capacitor/contracts';
import type { QueryService } from '@flux-capacitor/query-engine';
import type { ReplayPlanner } from './replay-planner';
import type { AuditEntry, ReplayRepository, StateRequest } from './replay.repository';
import { parseReplayRequest, type ReplaySpec } from './replay-spec';
import { z } from 'zod';
import { TERMINAL_STATES, type PlanSummary, type ReplayState, type ReplayView, type ReplayWatermarksDocument } from './replay.types';

/** Longest a request waits for its lifecycle message to be sent (see announce). */
const ANNOUNCE_WAIT_MS = 2000;

/** Sends replay lifecycle messages (SQS); SqsPublisher satisfies it. */
export interface ReplayEventPublisher {
  publish(type: 'replay.lifecycle', payload: { replayId: string; event: 'created' | 'paused' | 'resumed' | 'cancelled' }): Promise<unknown>;
}

export interface ReplayServiceDeps {
  replays: ReplayRepository;
  planner: ReplayPlanner;
  queries: QueryService;
  kinesis: KinesisClient;
  publisher: ReplayEventPublisher;
  allowedTargets: string[];
  log?: (msg: string, fields: Record<string, unknown>) => void;
}

/**
 * What the replay API does: validates a spec completely before anything is written (schema, bounds, allowed
 * target, both streams exist, the SQL fragments are valid and sandboxed), stores it with its audit record and
 * announces it; shows replays with progress and ETA; pauses, resumes and cancels them.
 */
export class ReplayService {
  constructor(private readonly deps: ReplayServiceDeps) {}

  async create(body: unknown, actor: string): Promise<ReplayView> {
    const parsed = parseReplayRequest(body);
    if ('errors' in parsed) throw new FluxError('invalid-input', 'INVALID_REPLAY', parsed.errors.join('; '));
    const spec = parsed.spec;
    if (!isAllowedTarget(spec.target, this.deps.allowedTargets)) {
      throw new FluxError('invalid-input', 'TARGET_NOT_ALLOWED', `replays may not write to ${spec.target} (allowed: ${this.deps.allowedTargets.join(', ')})`);
    }
    if (!(await this.deps.queries.isStream(spec.source))) {
      throw new FluxError('invalid-input', 'UNKNOWN_STREAM', `source stream ${spec.source} is neither archived nor in Kinesis`);
    }
    try {
      await listShards(this.deps.kinesis, spec.target);
    } catch (err) {
      if (err instanceof StreamNotFoundError) {
        throw new FluxError('invalid-input', 'TARGET_NOT_FOUND', `target stream ${spec.target} does not exist in Kinesis (create it first)`, { cause: err });
      }
      throw err;
    }
    try {
      await this.deps.planner.check(spec);
    } catch (err) {
      // A bad where/compact/tombstone fragment: the spec's fault, answered as such with the query error's details (position).
      if (isFluxError(err) && err.kind === 'invalid-input') throw new FluxError('invalid-input', 'INVALID_REPLAY', err.message, { cause: err, details: err.details });
      throw err;
    }
    const id = randomUUID();
    const replay = await this.deps.replays.create(id, spec, actor);
    await this.announce(id, 'created');
    this.deps.log?.('replay created', { replayId: id, source: spec.source, target: spec.target, dryRun: spec.dryRun, actor });
    return toView(replay);
  }

  async get(id: string): Promise<ReplayView> {
    return toView(await this.find(id));
  }

  /** A page of replays, newest first; with `streams` (a stream-limited caller's), only those touching nothing else. */
  async list(limit: number, cursor?: string, state?: ReplayState, streams?: ReadonlySet<string>): Promise<{ items: ReplayView[]; nextCursor: string | null }> {
    const after = cursor === undefined ? undefined : parseCursor(cursor);
    const rows = await this.deps.replays.list(limit + 1, after, state, streams && [...streams]);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? Buffer.from(JSON.stringify({ createdAt: last.createdAt.toISOString(), id: last.id })).toString('base64url') : null;
    return { items: page.map(toView), nextCursor };
  }

  async request(id: string, request: StateRequest, actor: string): Promise<ReplayView> {
    const current = await this.find(id);
    const updated = await this.deps.replays.request(id, request, actor);
    if (!updated) throw new FluxError('conflict', 'REPLAY_STATE_CONFLICT', `cannot ${request} a replay that is ${current.state}`);
    await this.announce(id, request === 'pause' ? 'paused' : request === 'resume' ? 'resumed' : 'cancelled');
    return toView(updated);
  }

  async watermarks(id: string): Promise<ReplayWatermarksDocument> {
    const replay = await this.find(id);
    const marks = await this.deps.replays.watermarks(id);
    return {
      replayId: id,
      sourceStream: replay.sourceStream,
      targetStream: replay.targetStream,
      state: replay.state,
      watermarks: marks.map((m) => ({ shardId: m.shardId, sequenceNumber: m.sequenceNumber })),
      shards: replay.sourceShards ?? [],
    };
  }

  async audit(id: string): Promise<{ items: AuditEntry[] }> {
    await this.find(id);
    return { items: await this.deps.replays.auditTrail(id) };
  }

  private async find(id: string): Promise<Replay> {
    const replay = await this.deps.replays.get(id);
    if (!replay) throw new FluxError('not-found', 'REPLAY_NOT_FOUND', `no replay ${id}`);
    return replay;
  }

  private async announce(replayId: string, event: 'created' | 'paused' | 'resumed' | 'cancelled'): Promise<void> {
    // The message only wakes a coordinator early; the state is in Postgres and idle coordinators poll it anyway.
    // So a silent SQS delays the answer by ANNOUNCE_WAIT_MS at most; the send goes on in the background.
    const sent = this.deps.publisher.publish('replay.lifecycle', { replayId, event }).catch((err: unknown) => {
      this.deps.log?.('replay lifecycle message not sent; coordinators will find the replay by polling', { replayId, event, error: (err as Error).message });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([sent, new Promise<void>((resolve) => (timer = setTimeout(resolve, ANNOUNCE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}

/** The API's view of a replay row. */
export function toView(r: Replay): ReplayView {
  const selected = Number(r.recordsSelected);
  const put = Number(r.recordsPut);
  const failed = Number(r.recordsFailed);
  const rate = r.ratePerSecond;
  const remaining = Math.max(0, selected - put - failed);
  const running = r.state === 'running';
  const plan = r.plan as PlanSummary | null;
  return {
    id: r.id,
    state: r.state,
    source: r.sourceStream,
    target: r.targetStream,
    dryRun: r.dryRun,
    spec: r.spec as unknown as ReplaySpec,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    progress: {
      selected,
      put,
      failed,
      bytesSelected: Number(r.bytesSelected),
      bytesPut: Number(r.bytesPut),
      ratePerSecond: running ? Math.round(rate * 10) / 10 : 0,
      etaSeconds: TERMINAL_STATES.includes(r.state) ? 0 : running && rate > 0 ? Math.ceil(remaining / rate) : (plan?.estimatedSeconds ?? null),
    },
    plan,
    failures: r.failures ?? [],
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
  };
}

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

/** The position a `nextCursor` this API handed out stands for; anything else is the client's error, never a query. */
function parseCursor(cursor: string): { createdAt: string; id: string } {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new FluxError('invalid-input', 'INVALID_CURSOR', 'cursor is not one this API handed out');
  }
}
