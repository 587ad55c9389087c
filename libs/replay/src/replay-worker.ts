import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { ArchiveStore } from '@flux-capacitor/archive';
import type { EmfWriter } from '@flux-capacitor/aws';
import { CloudWatchMetrics, isFluxError } from '@flux-capacitor/contracts';
import { listShards, StreamNotFoundError } from '@flux-capacitor/kinesis';
import type { Replay } from '@flux-capacitor/persistence';
import type { ReplayPlanner } from './replay-planner';
import { planKeyOf, ReplayRun, type ReplayRunnerSettings, type RunOutcome } from './replay-runner';
import type { ReplayLease, ReplayRepository } from './replay.repository';
import type { ReplaySpec } from './replay-spec';
import { replayMetrics } from './replay.metrics';
import type { PlanSummary } from './replay.types';

export interface ReplayWorkerSettings extends ReplayRunnerSettings {
  maxConcurrent: number;
  pollMs: number;
}

export interface ReplayWorkerDeps {
  owner: string;
  replays: ReplayRepository;
  planner: ReplayPlanner;
  kinesis: KinesisClient;
  store: ArchiveStore;
  settings: ReplayWorkerSettings;
  logger: { log(o: object): void; warn(o: object): void; error(o: object): void };
  /** CloudWatch embedded-metric-format output (FLUX_METRICS_EMF): one ReplaysFailed per failed replay. */
  emf?: EmfWriter;
}

/** Rough bytes the envelope header adds to a record, for estimates. */
const ENVELOPE_OVERHEAD = 260;

/** How long a plan or run takes at the chosen pace and the target's capacity. */
export function estimateSeconds(plan: Pick<PlanSummary, 'records' | 'bytes' | 'firstArrivalTime' | 'lastArrivalTime'>, spec: ReplaySpec, targetShards: number, s: ReplayRunnerSettings): number {
  if (plan.records === 0) return 0;
  if (spec.pace.mode === 'original') {
    const span = plan.firstArrivalTime && plan.lastArrivalTime ? Date.parse(plan.lastArrivalTime) - Date.parse(plan.firstArrivalTime) : 0;
    return Math.ceil(span / 1000 / spec.pace.factor);
  }
  const reserve = spec.pace.mode === 'max' ? (spec.pace.reserve ?? s.reserveShare) : s.reserveShare;
  const shards = Math.max(1, targetShards);
  let recordsPerSecond = shards * s.shardRecordsPerSecond * (1 - reserve);
  if (spec.pace.mode === 'rate') recordsPerSecond = Math.min(recordsPerSecond, spec.pace.recordsPerSecond);
  const bytesPerSecond = shards * s.shardBytesPerSecond * (1 - reserve);
  const bytes = plan.bytes + (spec.format === 'envelope' ? ENVELOPE_OVERHEAD * plan.records : 0);
  return Math.ceil(Math.max(plan.records / recordsPerSecond, bytes / bytesPerSecond));
}

/**
 * A coordinator instance's loop: claims replays that need a coordinator (a lease in Postgres, so two instances never
 * run the same replay), plans them and runs them, at most `maxConcurrent` at a time. A replay whose coordinator died
 * is claimed again once its lease expires and resumes from its checkpoint. Lifecycle messages (SQS) wake it early.
 */
export class ReplayWorker {
  private readonly running = new Map<string, { run?: ReplayRun; done: Promise<void> }>();
  /** replays that failed for a passing reason, left alone until the time given */
  private readonly backoff = new Map<string, number>();
  private readonly shutdown = new AbortController();
  private timer?: NodeJS.Timeout;
  private claiming = false;

  constructor(private readonly deps: ReplayWorkerDeps) {}

  start(): void {
    this.timer = setInterval(() => this.wake(), this.deps.settings.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for claimable replays now. */
  wake(): void {
    if (this.claiming || this.shutdown.signal.aborted) return;
    this.claiming = true;
    void this.claimAll()
      .catch((err: unknown) => this.deps.logger.warn({ msg: 'claiming replays failed; retrying', error: (err as Error).message }))
      .finally(() => (this.claiming = false));
  }

  /** A person paused or cancelled a replay: stop it now if this instance runs it. */
  stopLocal(replayId: string, reason: 'paused' | 'cancelled'): void {
    this.running.get(replayId)?.run?.stop(reason);
  }

  /** Stops taking replays, lets running ones save their checkpoints and hands them back. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.shutdown.abort();
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  get active(): string[] {
    return [...this.running.keys()];
  }

  private async claimAll(): Promise<void> {
    const now = Date.now();
    for (const [id, until] of this.backoff) if (until < now) this.backoff.delete(id);
    while (this.running.size < this.deps.settings.maxConcurrent && !this.shutdown.signal.aborted) {
      const claimed = await this.deps.replays.claim(this.deps.owner, this.deps.settings.leaseMs, [...this.running.keys(), ...this.backoff.keys()]);
      if (!claimed) return;
      const slot: { run?: ReplayRun; done: Promise<void> } = { done: Promise.resolve() };
      this.running.set(claimed.id, slot);
      slot.done = this.process(claimed, claimed.lease, slot)
        .catch((err: unknown) => this.deps.logger.error({ msg: 'replay crashed', replayId: claimed.id, error: (err as Error).stack }))
        .finally(() => {
          this.running.delete(claimed.id);
          if (!this.shutdown.signal.aborted) this.wake();
        });
    }
  }

  private async process(replay: Replay, lease: ReplayLease, slot: { run?: ReplayRun }): Promise<void> {
    const log = this.deps.logger;
    const spec = replay.spec as unknown as ReplaySpec;
    try {
      let current = replay;
      if (!current.planKey) {
        log.log({ msg: 'planning replay', replayId: replay.id, source: spec.source, target: spec.target, dryRun: spec.dryRun });
        const planned = await this.plan(current, spec, lease);
        if (!planned || spec.dryRun) return;
        current = (await this.deps.replays.get(replay.id)) ?? current;
        if (current.state !== 'running') {
          await this.deps.replays.release(lease);
          return;
        }
      }
      if (Number(current.checkpoint) > 0 || current.startMarked) {
        await this.deps.replays.audit(replay.id, `coordinator:${this.deps.owner}`, 'resumed-from-checkpoint', { checkpoint: Number(current.checkpoint) });
      }
      log.log({ msg: 'running replay', replayId: replay.id, checkpoint: Number(current.checkpoint), records: Number(current.recordsSelected) });
      const run = new ReplayRun({ ...this.deps, replays: this.deps.replays }, current, lease, this.shutdown.signal);
      slot.run = run;
      const outcome: RunOutcome = await run.execute();
      log.log({ msg: `replay run ended: ${outcome}`, replayId: replay.id });
    } catch (err) {
      await this.failOrRetry(replay.id, lease, err);
    }
  }

  private async plan(replay: Replay, spec: ReplaySpec, lease: ReplayLease): Promise<boolean> {
    // Planning can outlast the lease: renew it meanwhile (progress with the counts unchanged).
    const renew = setInterval(() => {
      void this.deps.replays
        .progress(lease, this.deps.settings.leaseMs, { checkpoint: 0, put: 0, failed: 0, bytesPut: 0, ratePerSecond: 0 })
        .catch(() => undefined);
    }, Math.max(500, this.deps.settings.leaseMs / 3));
    try {
      const planned = await this.deps.planner.plan(replay.id, spec, this.shutdown.signal);
      const key = planKeyOf(replay.id);
      await this.deps.store.put(key, planned.path);
      const [source, target] = await Promise.all([
        listShards(this.deps.kinesis, spec.source).catch((err: unknown) => (err instanceof StreamNotFoundError ? [] : Promise.reject(err))),
        listShards(this.deps.kinesis, spec.target).catch(() => []),
      ]);
      const openTarget = target.filter((s) => s.SequenceNumberRange?.EndingSequenceNumber === undefined).length;
      const summary: PlanSummary = { ...planned.summary, estimatedSeconds: estimateSeconds(planned.summary, spec, openTarget, this.deps.settings) };
      const lineage = source.map((s) => ({ shardId: s.ShardId!, parentShardId: s.ParentShardId ?? null, adjacentParentShardId: s.AdjacentParentShardId ?? null }));
      const saved = await this.deps.replays.savePlan(lease, summary, key, lineage, spec.dryRun);
      if (saved && spec.dryRun) await this.deps.replays.release(lease);
      this.deps.logger.log({ msg: 'replay planned', replayId: replay.id, records: summary.records, bytes: summary.bytes, keys: summary.distinctKeys, planningMs: summary.planningMs });
      return saved;
    } finally {
      clearInterval(renew);
    }
  }

  /** A mistake in the spec or a missing stream fails the replay; anything else (an outage) is retried later. */
  private async failOrRetry(replayId: string, lease: ReplayLease, err: unknown): Promise<void> {
    const permanent = (isFluxError(err) && err.kind === 'invalid-input') || err instanceof StreamNotFoundError;
    if (permanent) {
      const code = (err as { code?: string }).code ?? 'REPLAY_FAILED';
      this.deps.logger.warn({ msg: 'replay failed', replayId, code, error: (err as Error).message });
      if (await this.deps.replays.finish(lease, 'failed', {}, { code, message: (err as Error).message })) {
        this.deps.emf?.emit({ metric: CloudWatchMetrics.ReplaysFailed, value: 1 });
        replayMetrics.finished.inc({ state: 'failed' });
      }
      return;
    }
    if (this.shutdown.signal.aborted) {
      await this.deps.replays.release(lease).catch(() => undefined);
      return;
    }
    this.deps.logger.warn({ msg: 'replay interrupted; it will be retried', replayId, error: (err as Error).message });
    this.backoff.set(replayId, Date.now() + 10_000);
    await this.deps.replays.release(lease, { code: (err as { code?: string }).code ?? 'REPLAY_INTERRUPTED', message: `${(err as Error).message} (retrying)` }).catch(() => undefined);
  }
}
