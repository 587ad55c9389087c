import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PutRecordsCommand, SplitShardCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { Archiver } from '@flux-capacitor/shard-archiver';
import { createKinesisClient } from '@flux-capacitor/aws';
import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import type { FluxConfig } from '@flux-capacitor/config';
import { decodeRecordData } from '@flux-capacitor/consumer-sdk';
import { listShards } from '@flux-capacitor/kinesis';
import { createDataSource } from '@flux-capacitor/persistence';
import {
  createStream,
  createTestDatabase,
  putInOrder,
  readStream,
  startServiceProcess,
  testConfig,
  testEnvironment,
  uniqueName,
  waitUntilActive,
  type ServiceProcess,
  type StreamRecord,
  type TestDatabase,
} from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';

/*
 * `archive()` repeats the one of libs/replay/test/support/replay-fixture.ts: lint's module-boundary rule refuses a
 * relative import into another project, and libs/testing (a util) may not depend on the archiver (a feature).
 */

export { seededRandom, type StreamRecord } from '@flux-capacitor/testing';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
export const API_TOKEN = 'consistency-e2e-token-0123456789';

/** What every test record carries: its key, a value unique over the whole run, and the seed that made it. */
export interface Payload {
  key: string;
  v: number;
  seed: number;
}


/** A replay as GET /v1/replays/:id shows it (the fields these tests read). */
export interface ReplayView {
  id: string;
  state: string;
  progress: { selected: number; put: number; failed: number };
  plan: { records: number; distinctKeys: number; liveRecords: number } | null;
  error: { code: string; message: string } | null;
}

export interface Producer {
  pause(): Promise<void>;
  resume(): void;
  stop(): Promise<number>;
}

export interface ConsumeRun {
  state: Record<string, Payload>;
  summary: { mode: string; records: number; reasons: Record<string, number>; keys: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The bench of the consistency tests, on the real local stack: its own database and file archive, kinesalite
 * streams, the real archiver (objects registered straight into the catalog, as the catalog service would), replay
 * coordinators as real processes and `fluxcap consume` as real CLI processes. Every process it starts is ended by
 * `stopProcesses()` (kill -9 if SIGTERM is not enough), so no test leaves one behind.
 */
export class ConsistencyFixture {
  readonly kinesis: KinesisClient;
  private readonly coordinators: ServiceProcess[] = [];
  private readonly clis = new Set<ChildProcess>();

  private constructor(
    readonly root: string,
    readonly db: TestDatabase,
    /** the coordinators' and the CLI's environment */
    readonly env: Record<string, string>,
    readonly config: FluxConfig,
    private readonly ds: DataSource,
  ) {
    this.kinesis = createKinesisClient(config.aws);
  }

  static async create(): Promise<ConsistencyFixture> {
    // the in-process archiver logs every object; warnings and errors are enough here
    Logger.overrideLogger(['error', 'warn']);
    const root = mkdtempSync(join(tmpdir(), 'flux-consistency-'));
    // a coordinator reports itself unhealthy until the archive folder exists, and may start before the first archive
    mkdirSync(join(root, 'archive'));
    const db = await createTestDatabase();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
      FLUX_QUERY_WORK_DIR: join(root, 'query'),
      FLUX_REPLAY_WORK_DIR: join(root, 'replay'),
      FLUX_API_TOKENS: `${API_TOKEN}:replay+query`,
      FLUX_REPLAY_POLL_MS: '200',
      // a killed coordinator's replay is taken over 3 s later
      FLUX_REPLAY_LEASE_SECONDS: '3',
      FLUX_BUFFER_INTERVAL_SECONDS: '1',
      FLUX_GET_RECORDS_IDLE_MS: '200',
      // kinesalite does not throttle: the pace of each replay is its `recordsPerSecond`, not Kinesis' shard limits
      FLUX_REPLAY_SHARD_RECORDS_PER_SECOND: '100000',
      FLUX_REPLAY_SHARD_BYTES_PER_SECOND: '104857600',
    });
    const config = testConfig(env);
    const ds = await createDataSource(db.url).initialize();
    return new ConsistencyFixture(root, db, env, config, ds);
  }

  createStream(shards: number, prefix: string): Promise<string> {
    return createStream(this.kinesis, uniqueName(prefix), shards);
  }

  put(stream: string, records: Payload[]): Promise<void> {
    return putInOrder(this.kinesis, stream, records.map((r) => ({ key: r.key, data: JSON.stringify(r) })));
  }

  /** Splits the first open shard at the middle of its hash range and waits until the stream is active again. */
  async split(stream: string): Promise<string> {
    const open = (await listShards(this.kinesis, stream)).filter((sh) => !sh.SequenceNumberRange?.EndingSequenceNumber);
    const shard = open[0];
    const start = BigInt(shard.HashKeyRange!.StartingHashKey!);
    const end = BigInt(shard.HashKeyRange!.EndingHashKey!);
    await this.kinesis.send(new SplitShardCommand({ StreamName: stream, ShardToSplit: shard.ShardId!, NewStartingHashKey: ((start + end) / 2n).toString() }));
    await waitUntilActive(this.kinesis, stream);
    return shard.ShardId!;
  }

  readAll(stream: string): Promise<StreamRecord[]> {
    return readStream(this.kinesis, stream);
  }

  /** Archives what the stream holds now with the real archiver, registering each object in the catalog. */
  async archive(stream: string): Promise<number> {
    const writer = new CatalogWriter(this.ds);
    const archiver = await Archiver.create({
      config: this.config,
      kinesis: this.kinesis,
      publisher: { publish: (_type, payload) => writer.registerObject(payload) },
      dataSource: this.ds,
    });
    try {
      return (await archiver.runOnce(stream)).records;
    } finally {
      await archiver.close();
    }
  }

  /** A replay coordinator as a real process, with the bench's environment plus `overrides`. */
  async startCoordinator(overrides: Record<string, string> = {}): Promise<ServiceProcess> {
    // a generous start-up bound: booting the app through SWC on 2 busy CI cores can take a while
    const coordinator = await startServiceProcess('replay-coordinator', { ...this.env, ...overrides }, 120_000);
    this.coordinators.push(coordinator);
    return coordinator;
  }

  /** Calls the coordinator's HTTP API with the bench's token; a non-2xx answer throws with its body. */
  async api<T>(coordinator: ServiceProcess, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${coordinator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered HTTP ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** Polls a replay until `done(view)`; fails with the coordinator's last log lines after `timeoutMs`. */
  async waitForReplay(coordinator: ServiceProcess, id: string, done: (view: ReplayView) => boolean, timeoutMs = 90_000): Promise<ReplayView> {
    const ended = (view: ReplayView) => ['failed', 'cancelled'].includes(view.state);
    const view = await vi
      .waitFor(
        async () => {
          const v = await this.api<ReplayView>(coordinator, 'GET', `/v1/replays/${id}`);
          if (!done(v) && !ended(v)) throw new Error(`replay ${id} still ${v.state} (${JSON.stringify(v.progress)})`);
          return v;
        },
        { timeout: timeoutMs, interval: 100 },
      )
      .catch((err: Error) => {
        throw new Error(`${err.message} after ${timeoutMs} ms; coordinator logs:\n${coordinator.logs().split('\n').slice(-30).join('\n')}`, { cause: err });
      });
    if (!done(view)) throw new Error(`replay ${id} ended ${view.state}: ${JSON.stringify(view.error)}`);
    return view;
  }

  /**
   * A live producer: every 50 ms one PutRecords call of `ratePerSecond / 20` records to keys drawn from `random`,
   * one call after the other, refused entries sent again in the next call. `pause()` resolves once the call in
   * flight has ended and no other starts until `resume()`; `stop()` ends it and returns how many records it put.
   */
  startProducer(stream: string, options: { random: () => number; keys: number; seed: number; firstValue: number; ratePerSecond: number }): Producer {
    let stopped = false;
    let paused: { idle: Promise<void>; settle: () => void } | undefined;
    let put = 0;
    let v = options.firstValue;
    const perCall = Math.max(1, Math.round(options.ratePerSecond / 20));
    const loop = (async () => {
      let pending: { PartitionKey: string; Data: Buffer }[] = [];
      while (!stopped) {
        if (paused) {
          paused.settle();
          await sleep(50); // idle until resume() or stop(): a flag, nothing to wait on
          continue;
        }
        const started = Date.now();
        while (pending.length < perCall) {
          const payload: Payload = { key: keyName(Math.floor(options.random() * options.keys)), v: v++, seed: options.seed };
          pending.push({ PartitionKey: payload.key, Data: Buffer.from(JSON.stringify(payload)) });
        }
        const out = await this.kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
        put += pending.length - (out.FailedRecordCount ?? 0);
        pending = pending.filter((_, j) => out.Records?.[j]?.ErrorCode);
        await sleep(Math.max(0, 50 - (Date.now() - started)));
      }
    })();
    return {
      pause: () => {
        if (!paused) {
          let settle = () => undefined as void;
          const idle = new Promise<void>((r) => (settle = r));
          paused = { idle, settle };
        }
        return paused.idle;
      },
      resume: () => {
        paused = undefined;
      },
      stop: async () => {
        stopped = true;
        paused?.settle();
        await loop;
        return put;
      },
    };
  }

  /** `fluxcap consume` as a real process, writing its final state to a file; resolves with the state and summary. */
  consume(streams: string[], options: { naive: boolean; replayUrl: string; name: string; idleSeconds: number }): Promise<ConsumeRun> {
    const out = join(this.root, `${options.name}.json`);
    const args = [FLUXCAP, 'consume', ...streams.flatMap((s) => ['--stream', s]), '--key', 'partition_key', '--out', out, '--until-idle', String(options.idleSeconds), '--json'];
    if (options.naive) args.push('--naive');
    return new Promise((done, fail) => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', ...this.env, FLUX_REPLAY_URL: options.replayUrl, FLUX_API_TOKEN: API_TOKEN },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      this.clis.add(child);
      let stdout = '';
      let stderr = '';
      child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status, signal) => {
        this.clis.delete(child);
        if (status !== 0) return fail(new Error(`fluxcap consume (${options.name}) exited with ${status ?? signal}:\n${stderr}`));
        try {
          done({ state: JSON.parse(readFileSync(out, 'utf8')) as Record<string, Payload>, summary: JSON.parse(stdout) as ConsumeRun['summary'] });
        } catch (error) {
          fail(new Error(`fluxcap consume (${options.name}) printed no readable result: ${String(error)}\n${stdout}\n${stderr}`));
        }
      });
    });
  }

  /** Ends every process this bench started: coordinators with SIGTERM (SIGKILL after 10 s), CLIs with SIGKILL. */
  async stopProcesses(): Promise<void> {
    for (const child of this.clis) child.kill('SIGKILL');
    this.clis.clear();
    const coordinators = this.coordinators.splice(0);
    await Promise.all(coordinators.map((c) => c.stop(10_000)));
  }

  async close(): Promise<void> {
    await this.stopProcesses();
    this.kinesis.destroy();
    await this.ds.destroy();
    await this.db.drop();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Zero-padded, so a state file sorts by key number. */
export const keyName = (n: number) => `key-${String(n).padStart(5, '0')}`;

/**
 * A record's place in its source's order: after a reshard a key's records move from a parent shard to a child, all
 * of whose records are newer; within a shard the sequence number orders them.
 */
const positionOf = (r: StreamRecord) => (BigInt(r.depth) << 256n) | BigInt(r.sequenceNumber);

/**
 * The ground truth: per key, the payload of the newest LIVE record in the source's order (replayed envelopes and
 * markers are left out). A key lands on the shard its hash maps to, so "newest" is the highest sequence number on
 * that shard, or on the child shard it moved to in a reshard; a key on two shards of one generation fails loudly.
 */
export function newestLivePerKey(records: StreamRecord[]): Map<string, Payload> {
  const newest = new Map<string, { shardId: string; depth: number; at: bigint; payload: Payload }>();
  for (const r of records) {
    const decoded = decodeRecordData(r.data);
    if (decoded.kind !== 'live') continue;
    const have = newest.get(r.partitionKey);
    if (have && have.shardId !== r.shardId && have.depth === r.depth) throw new Error(`key ${r.partitionKey} on ${have.shardId} and ${r.shardId}, neither a child of the other`);
    const at = positionOf(r);
    if (!have || at > have.at) newest.set(r.partitionKey, { shardId: r.shardId, depth: r.depth, at, payload: JSON.parse(Buffer.from(decoded.data).toString('utf8')) as Payload });
  }
  return new Map([...newest].map(([k, n]) => [k, n.payload]));
}

/** Per live value (`key/v`), its place in the source's order (see positionOf). */
export function livePositions(records: StreamRecord[]): Map<string, bigint> {
  const at = new Map<string, bigint>();
  for (const r of records) {
    const decoded = decodeRecordData(r.data);
    if (decoded.kind !== 'live') continue;
    const payload = JSON.parse(Buffer.from(decoded.data).toString('utf8')) as Payload;
    at.set(`${payload.key}/${payload.v}`, positionOf(r));
  }
  return at;
}

/** The keys whose value in `state` is not the ground truth's (missing, extra or different), described. */
export function keysOffTruth(state: Record<string, Payload>, truth: Map<string, Payload>): string[] {
  const off: string[] = [];
  for (const [key, want] of truth) {
    const got = state[key];
    if (!got || got.v !== want.v || got.seed !== want.seed || got.key !== key) off.push(`${key}: has ${JSON.stringify(got)}, newest is v=${want.v}`);
  }
  for (const key of Object.keys(state)) if (!truth.has(key)) off.push(`${key}: not in the source`);
  return off;
}

/** How many replayed records landed more than once: the same source position written twice. */
export function duplicateReplayedRecords(records: StreamRecord[], replayId: string): { replayed: number; duplicates: number } {
  const seen = new Set<string>();
  let replayed = 0;
  for (const r of records) {
    const decoded = decodeRecordData(r.data);
    if (decoded.kind !== 'replayed' || decoded.header.replayId !== replayId) continue;
    replayed++;
    const s = decoded.header.source;
    seen.add(`${s.shardId}/${s.sequenceNumber}/${s.subSequenceNumber}`);
  }
  return { replayed, duplicates: replayed - seen.size };
}
