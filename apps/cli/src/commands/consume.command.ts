import { writeFileSync } from 'node:fs';
import type { KinesisClient, Shard } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import {
  decodeConsumedRecord,
  EnvelopeError,
  HttpWatermarkSource,
  MemoryVersionStore,
  ReplayAwareConsumer,
  userRecordsOf,
  type ConsumedRecord,
  type DecodedRecord,
} from '@flux-capacitor/consumer-sdk';
import { AbortedError, listShards, ShardReader, StreamNotFoundError } from '@flux-capacitor/kinesis';
import type { Command } from 'commander';
import { withExamples } from '../help-example';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { printResult, type GlobalOptions } from '../output';

/** `partition_key`, or `payload.<dotted.path>` into the (unwrapped) JSON payload. */
export type KeySpec = { kind: 'partition_key' } | { kind: 'payload'; path: string[] };

export function parseKeySpec(value: string): KeySpec {
  if (value === 'partition_key') return { kind: 'partition_key' };
  const m = /^payload\.(.+)$/.exec(value);
  if (m && m[1].split('.').every((p) => p.length > 0)) return { kind: 'payload', path: m[1].split('.') };
  throw new CliError(`--key takes partition_key or payload.<dotted.path> (got "${value}")`);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload as JSON, or undefined when it is not UTF-8 JSON. */
function parseJson(data: Uint8Array): { value: unknown } | undefined {
  if (data.length === 0) return undefined;
  try {
    return { value: JSON.parse(utf8.decode(data)) };
  } catch {
    return undefined;
  }
}

/** The key a record is versioned by; undefined when the payload has no string or number at the path. */
export function keyOf(spec: KeySpec, record: Pick<DecodedRecord, 'partitionKey' | 'data'>): string | undefined {
  if (spec.kind === 'partition_key') return record.partitionKey;
  let node = parseJson(record.data)?.value;
  for (const part of spec.path) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' || typeof node === 'number' ? String(node) : undefined;
}

/** What the state keeps for a key: the parsed JSON payload, or the bytes as base64 when they are not JSON. */
export function payloadValue(data: Uint8Array): unknown {
  const json = parseJson(data);
  return json ? json.value : Buffer.from(data).toString('base64');
}

/** One JSON object, keys sorted, so two runs can be compared with diff. */
export function renderState(state: Map<string, unknown>): string {
  return `${JSON.stringify(Object.fromEntries([...state.keys()].sort().map((k) => [k, state.get(k)])), null, 2)}\n`;
}

export interface ConsumeSummary {
  mode: 'sdk' | 'naive';
  streams: string[];
  shards: number;
  records: number;
  applied: number;
  skipped: number;
  /** Count per decision reason (`naive` for every record the naive mode applied). */
  reasons: Record<string, number>;
  keys: number;
  out: string;
}

export function renderSummary(s: ConsumeSummary): string {
  const APPLY = new Set(['new', 'newer', 'forced', 'naive']);
  const part = (apply: boolean) =>
    Object.entries(s.reasons)
      .filter(([r]) => APPLY.has(r) === apply)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
  const applied = part(true);
  const skipped = part(false);
  return [
    `${s.mode === 'naive' ? '(naive) ' : ''}read ${s.records} records from ${s.shards} shards of ${s.streams.join(', ')}`,
    `applied ${s.applied}${applied ? ` (${applied})` : ''}, skipped ${s.skipped}${skipped ? ` (${skipped})` : ''}`,
    `${s.keys} keys written to ${s.out}`,
  ].join('; ');
}

interface ShardStatus {
  atTip: boolean;
  ended: boolean;
}

interface ConsumeOptions {
  streams: string[];
  key: KeySpec;
  idleMs: number;
  naive: boolean;
}

/**
 * Reads every shard of every stream from TRIM_HORIZON, a child shard only once its parents are fully read (as the
 * KCL does), until no record has arrived for `idleMs` and every shard is at its tip or closed.
 */
class StreamConsumer {
  readonly state = new Map<string, unknown>();
  readonly reasons: Record<string, number> = {};
  records = 0;
  private readonly status = new Map<string, ShardStatus>();
  private lastRecordAt = Date.now();
  private readonly abort = new AbortController();
  private readonly sdk: ReplayAwareConsumer;

  constructor(
    private readonly kinesis: KinesisClient,
    private readonly options: ConsumeOptions,
  ) {
    const replayUrl = cliEnv.replayUrl;
    this.sdk = new ReplayAwareConsumer({
      store: new MemoryVersionStore(),
      watermarks: replayUrl ? new HttpWatermarkSource({ baseUrl: replayUrl, token: cliEnv.apiToken }) : undefined,
      key: (d) => keyOf(options.key, d),
    });
  }

  get shardCount(): number {
    return this.status.size;
  }

  async run(): Promise<void> {
    const monitor = setInterval(() => {
      const quiet = Date.now() - this.lastRecordAt >= this.options.idleMs;
      if (quiet && this.status.size > 0 && [...this.status.values()].every((s) => s.ended || s.atTip)) this.abort.abort();
    }, 100);
    try {
      await Promise.all(this.options.streams.map((stream) => this.discover(stream, new Set())));
    } catch (error) {
      this.abort.abort();
      throw error;
    } finally {
      clearInterval(monitor);
    }
  }

  /** Starts every shard whose parents are read, and waits for them (and, through them, for their children). */
  private async discover(stream: string, started: Set<string>): Promise<void> {
    if (this.abort.signal.aborted) return;
    const shards = await listShards(this.kinesis, stream);
    const known = new Set(shards.map((s) => s.ShardId as string));
    for (const s of shards) {
      const id = `${stream}/${s.ShardId}`;
      // Known but not yet readable: keeps the run from ending before a child shard is read.
      if (!this.status.has(id)) this.status.set(id, { atTip: false, ended: false });
    }
    const ready = shards.filter((s) => {
      const parents = [s.ParentShardId, s.AdjacentParentShardId].filter((p): p is string => !!p && known.has(p));
      return !started.has(s.ShardId as string) && parents.every((p) => this.status.get(`${stream}/${p}`)?.ended);
    });
    for (const s of ready) started.add(s.ShardId as string);
    await Promise.all(ready.map((s) => this.readShard(stream, s, started)));
  }

  private async readShard(stream: string, shard: Shard, started: Set<string>): Promise<void> {
    const shardId = shard.ShardId as string;
    const status = this.status.get(`${stream}/${shardId}`) as ShardStatus;
    const reader = new ShardReader(this.kinesis, stream, shardId, { type: 'TRIM_HORIZON' }, { limit: 1000, signal: this.abort.signal });
    while (!this.abort.signal.aborted) {
      let batch;
      try {
        batch = await reader.next();
      } catch (error) {
        // The run ended while this reader was renewing its iterator: nothing is left to read.
        if (error instanceof AbortedError) return;
        throw error;
      }
      for (const record of batch.records) {
        this.lastRecordAt = Date.now();
        for (const user of userRecordsOf(stream, shardId, record)) await this.handle(user);
      }
      status.atTip = batch.millisBehindLatest === 0;
      if (batch.ended) {
        status.ended = true;
        // Its children may now be readable (and a reshard during the run may have created them).
        await this.discover(stream, started);
        return;
      }
    }
  }

  private async handle(record: ConsumedRecord): Promise<void> {
    this.records++;
    try {
      const reason = this.options.naive ? this.handleNaively(record) : (await this.sdk.process(record, (d) => this.apply(d.key, d.op, d.data))).reason;
      this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
    } catch (error) {
      if (error instanceof EnvelopeError) {
        throw new CliError(`${record.stream}/${record.shardId} record ${record.sequenceNumber}: ${error.message}`);
      }
      throw error;
    }
  }

  /** What a consumer without the SDK does: every record overwrites its key, in arrival order. */
  private handleNaively(record: ConsumedRecord): string {
    const d = decodeConsumedRecord(record);
    if (d.origin === 'marker') return 'marker';
    const key = keyOf(this.options.key, d);
    if (key === undefined) return 'no-key';
    this.apply(key, d.op, d.data);
    return 'naive';
  }

  private apply(key: string, op: 'upsert' | 'delete', data: Uint8Array): void {
    if (op === 'delete') this.state.delete(key);
    else this.state.set(key, payloadValue(data));
  }
}

const APPLIED = new Set(['new', 'newer', 'forced', 'naive']);

export function registerConsumeCommand(program: Command): void {
  const consume = program
    .command('consume')
    .description(
      'A reference consumer on @flux-capacitor/consumer-sdk: reads streams from TRIM_HORIZON, keeps the newest value per key (replayed records included) and writes the state as JSON',
    )
    .requiredOption('--stream <name>', 'stream to read (repeat for several)', (v: string, all: string[] = []) => [...all, v])
    .option('--key <key>', 'what identifies a record: partition_key or payload.<dotted.path>', 'partition_key')
    .requiredOption('--out <file>', 'where to write the final state (one JSON object, sorted keys)')
    .option('--until-idle <seconds>', 'stop once no record arrived for this long and every shard is at its tip', (v) => Number(v), 10)
    .option('--naive', 'apply every record in arrival order without the SDK checks (what a consumer without the SDK does)')
    .action(async (flags: { stream: string[]; key: string; out: string; untilIdle: number; naive?: boolean }, cmd: Command) => {
      if (!Number.isFinite(flags.untilIdle) || flags.untilIdle < 0) throw new CliError('--until-idle takes a number of seconds >= 0');
      const options: ConsumeOptions = { streams: [...new Set(flags.stream)], key: parseKeySpec(flags.key), idleMs: flags.untilIdle * 1000, naive: !!flags.naive };
      const config = loadConfig(cliEnv.all);
      const kinesis = createKinesisClient(config.aws);
      const consumer = new StreamConsumer(kinesis, options);
      try {
        await consumer.run();
      } catch (error) {
        if (error instanceof StreamNotFoundError) throw new CliError(error.message);
        throw error;
      } finally {
        kinesis.destroy();
      }
      writeFileSync(flags.out, renderState(consumer.state));
      const applied = Object.entries(consumer.reasons).reduce((n, [r, c]) => n + (APPLIED.has(r) ? c : 0), 0);
      const summary: ConsumeSummary = {
        mode: options.naive ? 'naive' : 'sdk',
        streams: options.streams,
        shards: consumer.shardCount,
        records: consumer.records,
        applied,
        skipped: consumer.records - applied,
        reasons: consumer.reasons,
        keys: consumer.state.size,
        out: flags.out,
      };
      printResult(summary, cmd.optsWithGlobals<GlobalOptions>(), renderSummary);
    });
  withExamples(consume, 'fluxcap consume --stream orders-replay --key payload.order_id --out state.json --until-idle 3');
}
