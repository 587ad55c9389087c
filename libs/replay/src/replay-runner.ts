import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance, type DuckDBBlobValue } from '@duckdb/node-api';
import type { ArchiveStore } from '@flux-capacitor/archive';
import { encodeReplayMarker, encodeReplayRecord } from '@flux-capacitor/consumer-sdk';
import { KinesisWriter, sleep, type WriteAck, type WriteRecord, type WriteRejection } from '@flux-capacitor/kinesis';
import { sqlString } from '@flux-capacitor/query-engine';
import type { Replay } from '@flux-capacitor/persistence';
import type { ReplayLease, ReplayRepository } from './replay.repository';
import type { ReplaySpec } from './replay-spec';
import { replayMetrics } from './replay.metrics';

export interface ReplayRunnerSettings {
  workDir: string;
  leaseMs: number;
  reserveShare: number;
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  maxInFlight: number;
}

export interface ReplayRunnerDeps {
  kinesis: KinesisClient;
  store: ArchiveStore;
  replays: ReplayRepository;
  settings: ReplayRunnerSettings;
  logger: { log(o: object): void; warn(o: object): void; error(o: object): void };
}

/** How a run ended: every record acknowledged, stopped by a person, handed back (shutdown) or lost its lease. */
export type RunOutcome = 'completed' | 'paused' | 'cancelled' | 'released' | 'lease-lost';

const MAX_FAILURES_KEPT = 20;

/** The writer hands each record back in its acknowledgement; progress counts the original bytes, not the envelope. */
interface ReplayWriteRecord extends WriteRecord {
  originalBytes: number;
}
const PROGRESS_MS = 1000;

/** A set of ordinals as sorted [first, last] ranges. */
export function ranges(ordinals: Set<number>): [number, number][] {
  const sorted = [...ordinals].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const o of sorted) {
    const last = out[out.length - 1];
    if (last && o === last[1] + 1) last[1] = o;
    else out.push([o, o]);
  }
  return out;
}

/** Where a replay's plan lives in the archive store, so any coordinator instance can resume it. */
export const planKeyOf = (replayId: string) => `_replays/${replayId}/plan.parquet`;
export const localPlanPath = (workDir: string, replayId: string) => join(resolve(workDir), replayId, 'plan.parquet');

/**
 * Writes one planned replay into its target stream, from its checkpoint to the end of the plan.
 *
 * - Records are read from the plan file in plan order (`ordinal`) and handed to the KinesisWriter, which keeps
 *   per-key order across retries and the target's limits, and may send records of different keys out of plan
 *   order. The checkpoint is the ordinal of the first record not yet acknowledged (every record before it is),
 *   saved together with the ordinals past it already acknowledged, after acknowledgements arrive, one save at a
 *   time. A resumed run skips both, so after a crash it re-sends at most the records that were in flight (the SDK
 *   de-duplicates them).
 * - Every save is fenced by the lease; a run whose lease was taken over stops without writing more. The same save
 *   renews the lease and reads the state, so a pause or cancel takes effect within about a second.
 * - Envelope replays write a start marker into every open target shard before the first record and an end marker
 *   once every record is acknowledged (consumers learn from them where a replay begins and ends).
 */
export class ReplayRun {
  private readonly spec: ReplaySpec;
  private next: number;
  private readonly acked = new Set<number>();
  private put: number;
  private failed: number;
  private bytesPut: number;
  private failures: Replay['failures'];
  private saving?: Promise<void>;
  private savedCheckpoint: number;
  private stopReason?: RunOutcome;
  private readonly abort = new AbortController();
  private rate = 0;
  private rateWindow = { at: Date.now(), put: 0 };

  constructor(
    private readonly deps: ReplayRunnerDeps,
    private readonly replay: Replay,
    private readonly lease: ReplayLease,
    /** aborted when the coordinator shuts down: the run saves its checkpoint and hands the replay back */
    private readonly shutdown: AbortSignal,
  ) {
    this.spec = replay.spec as unknown as ReplaySpec;
    this.next = Number(replay.checkpoint);
    for (const [first, last] of replay.ackedAhead ?? []) for (let o = first; o <= last; o++) this.acked.add(o);
    while (this.acked.delete(this.next)) this.next++;
    this.savedCheckpoint = this.next;
    this.put = Number(replay.recordsPut);
    this.failed = Number(replay.recordsFailed);
    this.bytesPut = Number(replay.bytesPut);
    this.failures = [...(replay.failures ?? [])];
    this.rateWindow.put = this.put;
  }

  /** Asks the run to stop (a pause or cancel seen by another path, e.g. an SQS lifecycle message). */
  stop(reason: 'paused' | 'cancelled'): void {
    this.halt(reason);
  }

  /**
   * Stops writing at once: records queued in the writer are dropped and calls in flight are not waited for, so
   * the checkpoint stays before anything unacknowledged and a resumed run sends those records again.
   */
  private halt(reason: RunOutcome): void {
    this.stopReason ??= reason;
    this.abort.abort();
  }

  async execute(): Promise<RunOutcome> {
    const { settings } = this.deps;
    const path = await this.localPlan();
    const pace = this.spec.pace;
    const writer = await KinesisWriter.open(this.deps.kinesis, {
      stream: this.spec.target,
      shardRecordsPerSecond: settings.shardRecordsPerSecond,
      shardBytesPerSecond: settings.shardBytesPerSecond,
      reserveShare: pace.mode === 'max' ? (pace.reserve ?? settings.reserveShare) : settings.reserveShare,
      recordsPerSecond: pace.mode === 'rate' ? pace.recordsPerSecond : undefined,
      maxInFlightBatches: settings.maxInFlight,
      signal: this.abort.signal,
      logger: this.deps.logger,
      onAck: (acks) => this.onAck(acks),
      onReject: (rejections) => this.onReject(rejections),
    });
    const onShutdown = () => this.halt('released');
    this.shutdown.addEventListener('abort', onShutdown);
    const heartbeat = setInterval(() => void this.save(), PROGRESS_MS);
    try {
      const envelope = this.spec.format === 'envelope';
      if (envelope && !this.replay.startMarked) {
        await this.writeMarkers(writer, 'start');
        if (!(await this.deps.replays.markStarted(this.lease))) return this.lost();
      }
      const ended = await this.feed(writer, path, envelope);
      await writer.flush();
      await this.save(true);
      if (this.stopReason) return this.stopped();
      if (!ended) return this.stopped();
      if (envelope) await this.writeMarkers(writer, 'end');
      const ok = await this.deps.replays.finish(this.lease, 'completed', { put: this.put, failed: this.failed, bytesPut: this.bytesPut });
      if (ok) replayMetrics.finished.inc({ state: 'completed' });
      return ok ? 'completed' : this.lost();
    } catch (err) {
      if (!this.stopReason) throw err;
      // halted: the writer was aborted under us
      await this.save(true);
      return this.stopped();
    } finally {
      clearInterval(heartbeat);
      this.shutdown.removeEventListener('abort', onShutdown);
      this.abort.abort();
    }
  }

  /** Feeds the writer from the checkpoint on; false when it stopped before the end of the plan. */
  private async feed(writer: KinesisWriter, path: string, envelope: boolean): Promise<boolean> {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const c = await instance.connect();
    try {
      // The plan is written in ordinal order and DuckDB keeps a file's order (preserve_insertion_order); the
      // row-group statistics on `ordinal` skip what a resumed run has already written.
      const result = await c.stream(
        `SELECT ordinal, shard_id, sequence_number, sub_sequence_number, partition_key, arrival_ms, data, op FROM read_parquet(${sqlString(path)}) WHERE ordinal >= ${this.next}`,
      );
      const pace = this.spec.pace;
      let paceBase: { at: number; arrival: number } | undefined;
      for (;;) {
        if (this.stopReason) return false;
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) return true;
        for (const row of chunk.getRows()) {
          if (this.stopReason) return false;
          const [ordinal, shardId, sequenceNumber, subSequenceNumber, partitionKey, arrivalMs, data, op] = row as [bigint, string, string, bigint, string, bigint, DuckDBBlobValue, string];
          // acknowledged before a pause or crash, ahead of the checkpoint: never sent twice
          if (Number(ordinal) < this.next || this.acked.has(Number(ordinal))) continue;
          const arrival = Number(arrivalMs);
          if (pace.mode === 'original') {
            paceBase ??= { at: Date.now(), arrival };
            const due = paceBase.at + (arrival - paceBase.arrival) / pace.factor;
            if (due - Date.now() > 5) await sleep(due - Date.now(), this.abort.signal);
          }
          const bytes = data.bytes;
          const record: ReplayWriteRecord = {
            ordinal: Number(ordinal),
            originalBytes: bytes.byteLength,
            partitionKey,
            data: envelope
              ? encodeReplayRecord(
                  {
                    replayId: this.replay.id,
                    op: op === 'delete' ? 'delete' : 'upsert',
                    source: { stream: this.spec.source, shardId, sequenceNumber, subSequenceNumber: Number(subSequenceNumber), partitionKey, arrivalTime: new Date(arrival).toISOString() },
                    annotations: this.spec.annotations,
                  },
                  bytes,
                )
              : bytes,
          };
          await writer.write(record);
        }
      }
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  }

  private async writeMarkers(writer: KinesisWriter, marker: 'start' | 'end'): Promise<void> {
    let ordinal = -1;
    for (const [shardId, hashKey] of writer.router.startingHashKeys) {
      const data = encodeReplayMarker({ replayId: this.replay.id, marker, sourceStream: this.spec.source, targetShardId: shardId, at: new Date().toISOString() });
      // markers are not plan records: negative ordinals keep them out of the checkpoint
      await writer.write({ ordinal: ordinal--, partitionKey: `flux-replay-marker-${shardId}`, explicitHashKey: hashKey, data });
    }
    await writer.flush();
  }

  private onAck(acks: WriteAck[]): void {
    for (const a of acks) {
      if (a.record.ordinal < 0) continue;
      this.put++;
      this.bytesPut += (a.record as ReplayWriteRecord).originalBytes;
      replayMetrics.recordsPut.inc();
      replayMetrics.bytesPut.inc((a.record as ReplayWriteRecord).originalBytes);
      this.done(a.record.ordinal);
    }
    void this.save();
  }

  private onReject(rejections: WriteRejection[]): void {
    for (const r of rejections) {
      if (r.record.ordinal < 0) continue;
      this.failed++;
      replayMetrics.recordsFailed.inc();
      if (this.failures.length < MAX_FAILURES_KEPT) {
        this.failures.push({ ordinal: r.record.ordinal, partitionKey: r.record.partitionKey, errorCode: r.errorCode, message: r.message });
      }
      this.deps.logger.warn({ msg: 'replayed record rejected', replayId: this.replay.id, ordinal: r.record.ordinal, errorCode: r.errorCode, error: r.message });
      this.done(r.record.ordinal);
    }
    void this.save();
  }

  /** Advances the checkpoint over every record acknowledged (or rejected) in a row. */
  private done(ordinal: number): void {
    if (ordinal < this.next) return; // a duplicate acknowledgement after a resume
    this.acked.add(ordinal);
    while (this.acked.delete(this.next)) this.next++;
  }

  /** One save at a time; acknowledgements that arrive meanwhile go into the next one. */
  private save(force = false): Promise<void> {
    if (this.saving) return force ? this.saving.then(() => this.save(true)) : this.saving;
    this.saving = (async () => {
      try {
        const now = Date.now();
        if (now - this.rateWindow.at >= 1000) {
          const instant = ((this.put - this.rateWindow.put) * 1000) / (now - this.rateWindow.at);
          this.rate = this.rate === 0 ? instant : 0.7 * this.rate + 0.3 * instant;
          this.rateWindow = { at: now, put: this.put };
        }
        const state = await this.deps.replays.progress(this.lease, this.deps.settings.leaseMs, {
          checkpoint: this.next,
          ackedAhead: ranges(this.acked),
          put: this.put,
          failed: this.failed,
          bytesPut: this.bytesPut,
          ratePerSecond: this.rate,
          failures: this.failures,
        });
        this.savedCheckpoint = this.next;
        if (state === null) this.halt('lease-lost');
        else if (state === 'paused' || state === 'cancelled') this.halt(state);
      } catch (err) {
        // Postgres unreachable: keep writing (the lease lasts a while); the next save carries the checkpoint.
        this.deps.logger.warn({ msg: 'saving replay progress failed; retrying', replayId: this.replay.id, error: (err as Error).message });
      } finally {
        this.saving = undefined;
      }
    })();
    return this.saving;
  }

  private async stopped(): Promise<RunOutcome> {
    const reason = this.stopReason ?? 'released';
    if (reason === 'lease-lost') return reason;
    await this.deps.replays.release(this.lease);
    this.deps.logger.log({ msg: `replay ${reason}`, replayId: this.replay.id, checkpoint: this.savedCheckpoint, put: this.put });
    return reason;
  }

  private lost(): RunOutcome {
    this.stopReason = 'lease-lost';
    this.deps.logger.warn({ msg: 'replay lease lost to another coordinator; stopping', replayId: this.replay.id });
    return 'lease-lost';
  }

  /** The plan file: the local copy this instance made, or the one in the archive store. */
  private async localPlan(): Promise<string> {
    const path = localPlanPath(this.deps.settings.workDir, this.replay.id);
    if (!existsSync(path)) {
      mkdirSync(resolve(path, '..'), { recursive: true });
      // download beside it, then rename: a half-downloaded plan is never taken for a whole one
      await this.deps.store.getToFile(this.replay.planKey ?? planKeyOf(this.replay.id), `${path}.download`);
      renameSync(`${path}.download`, path);
    }
    return path;
  }
}
