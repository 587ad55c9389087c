/**
 * `npm run bench:replay [-- --records 1000000 --keys 100000 --shards 4 --hours 8 --runs 3 --memory-limit 1GB]`
 *
 * Starts the local stack (kinesalite, s3rver, SQS emulator; Postgres from DATABASE_URL or embedded), then for a
 * quarter of the size and for the full size, each on its own archive:
 *   1. writes N records of ~250 B JSON over K keys (`k<n>`, one key always on the same shard) straight into Parquet
 *      objects of a file:// archive, `--shards` shards x `--hours` hours, and registers them in the catalog;
 *   then `--runs` times, interleaved so that load from elsewhere hits all alike (the fastest of each counts):
 *   2. the ceiling: plain PutRecords of the K records a compacted replay writes (its output), with the same batch
 *      size (500), the same concurrency (FLUX_REPLAY_MAX_IN_FLIGHT) and the same target shard count, each record
 *      the size of an enveloped replay record (once more after the last replay). Beside it, as a diagnostic, the
 *      replay's KinesisWriter alone on the same records;
 *   3. DuckDB running the planner's compaction (`planSelectSql`) directly over the same Parquet files into a
 *      Parquet file, with the same memory limit and threads;
 *   4. a compacted replay through ReplayService + ReplayWorker, wired as the coordinator wires them: its plan
 *      summary's `planningMs`, and its put rate from state running to completed (startedAt..finishedAt).
 * Prints put rate / ceiling (target >= 0.9), planning / direct DuckDB (target <= 1.2) and this process's peak RSS
 * while planning and while writing (VmHWM, reset per phase), for both sizes: the peak must not grow with the archive.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { CreateStreamCommand, DeleteStreamCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance } from '@duckdb/node-api';
import { createArchiveStore } from '@flux-capacitor/archive';
import { createKinesisClient } from '@flux-capacitor/aws';
import { CatalogReader, CatalogWriter } from '@flux-capacitor/archive-catalog';
import { loadConfig, loadDatabaseUrl, type FluxConfig } from '@flux-capacitor/config';
import { encodeReplayRecord } from '@flux-capacitor/consumer-sdk';
import { ARCHIVE_COLUMNS, upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { KinesisWriter } from '@flux-capacitor/kinesis';
import { startLocalStack, waitForStreamActive } from '@flux-capacitor/local-stack';
import { createDataSource, migrate } from '@flux-capacitor/persistence';
import { createQueryService, sqlString } from '@flux-capacitor/query-engine';
import { boundsSql, parseReplayRequest, planSelectSql, ReplayPlanner, ReplayRepository, ReplayService, ReplayWorker, type ReplaySpec, type ReplayView } from '@flux-capacitor/replay';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';

interface Args {
  records: number;
  keys: number;
  shards: number;
  hours: number;
  /** planner and direct DuckDB runs per size (dry runs; the replay's own plan adds one planner sample) */
  runs: number;
  /** FLUX_REPLAY_MEMORY_LIMIT, e.g. 256MB */
  memoryLimit: string;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { records: 1_000_000, keys: 100_000, shards: 4, hours: 8, runs: 3, memoryLimit: '1GB', keep: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--keep') {
      args.keep = true;
      continue;
    }
    if (flag === '--memory-limit') {
      args.memoryLimit = argv[++i] ?? '';
      continue;
    }
    const name = flag.replace(/^--/, '') as Exclude<keyof Args, 'keep' | 'memoryLimit'>;
    if (!flag.startsWith('--') || !(name in args)) throw new Error(`unknown option ${flag} (--records N --keys K --shards S --hours H --runs R --memory-limit 1GB --keep)`);
    const value = Number(argv[++i]);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a whole number >= 1`);
    args[name] = value;
  }
  if (args.keys > args.records) throw new Error(`--keys (${args.keys}) must not exceed --records (${args.records})`);
  return args;
}

/** What one size measured; arrays hold one entry per run. */
interface SizeResult {
  records: number;
  keys: number;
  objects: number;
  parquetBytes: number;
  /** records/s of plain PutRecords (one run more than replays: before each replay and after the last) */
  ceilingRates: number[];
  /** records/s of the KinesisWriter alone on the same records (diagnostic) */
  writerRates: number[];
  /** records/s of the replays' writing phases */
  replayRates: number[];
  /** lowest CPU ms of this process per 1,000 records: plain PutRecords, a replay's writing phase */
  ceilingCpuPerK: number;
  replayCpuPerK: number;
  /** the plan summaries' planningMs, and this process's CPU ms from creating the replay to state running */
  planningMs: number[];
  planningCpuMs: number[];
  /** planSelectSql's COPY by a plain DuckDB: wall ms and CPU ms */
  directMs: number[];
  directCpuMs: number[];
  /** the same COPY over a view shaped like the engine's stream table (diagnostic) */
  directViewMs: number[];
  /** the planner's watermark, COPY and summary statements in a plain DuckDB (diagnostic) */
  directAllMs: number[];
  /** the highest peaks over the runs, with the RSS at the start of that phase */
  rssBeforePlan: number;
  peakPlan: number;
  rssBeforeWrite: number;
  peakWrite: number;
}

const BATCH = 500;
const log = (s: string) => process.stdout.write(`${s}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
const perSec = (n: number) => `${Math.round(n).toLocaleString('en-US')}/s`;

/** This process's resident set now and its peak (VmRSS, VmHWM), in bytes. */
function rss(): { now: number; peak: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { now: kb('VmRSS'), peak: kb('VmHWM') };
}

// A full collection before each phase, so that garbage of the previous one does not count as its baseline.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

let peakResettable = true;
/** Resets VmHWM to the current RSS (Linux >= 4.0, `5` > clear_refs), so each phase reports its own peak. */
function resetPeak(collect = true): void {
  if (collect) collectGarbage();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    peakResettable = false; // then peaks only grow; the smaller size runs first, so growth still shows
  }
}

async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitForStreamActive(kinesis, name);
}

/** The payload of record g: ~250 B of JSON, `version` counts the key's updates. */
const payloadSql = (keys: number) =>
  `'{"id":' || g || ',"key":"k' || (g % ${keys}) || '","version":' || (g // ${keys}) || ',"type":"t' || (g % 5) || '","customer":"c' || (g % 9973) ||
   '","amount":' || (g % 10000) / 100 || ',"note":"' || md5(g::VARCHAR) || md5((g + 1)::VARCHAR) || md5((g + 2)::VARCHAR) || md5((g + 3)::VARCHAR) || '"}'`;

/**
 * Writes the archive: record g (0..N-1) has key k<g mod K>, lives on shard (g mod K) mod S (a key stays on one
 * shard, as Kinesis routes it), arrives at start + g * spacing and has sequence number g (increasing per shard).
 * One object per shard-hour, in the archive layout, registered in the catalog as the catalog service would.
 */
async function writeArchive(ds: DataSource, dir: string, stream: string, args: { records: number; keys: number; shards: number; hours: number }) {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await instance.connect();
  const writer = new CatalogWriter(ds);
  const perHour = Math.ceil(args.records / args.hours);
  const startMs = Date.UTC(2026, 0, 1);
  const spacing = 3_600_000 / perHour;
  // layout-1 files (TIMESTAMP arrival_time, every record in data): ARCHIVE_COLUMNS but layout 2's data_json
  const columns = ARCHIVE_COLUMNS.filter((col) => col.name !== 'data_json')
    .map((col) => col.name)
    .join(', ');
  const files: string[] = [];
  let bytes = 0;
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    for (let h = 0; h < args.hours; h++) {
      const from = h * perHour;
      const to = Math.min(args.records, from + perHour);
      if (from >= to) break;
      const iso = new Date(startMs + h * 3_600_000).toISOString();
      const [dt, hour] = [iso.slice(0, 10), Number(iso.slice(11, 13))];
      for (let s = 0; s < args.shards; s++) {
        const shardId = `shardId-${String(s).padStart(12, '0')}`;
        const path = join(dir, stream, `dt=${dt}`, `hour=${String(hour).padStart(2, '0')}`, `${shardId}-${h}.parquet`);
        mkdirSync(join(path, '..'), { recursive: true });
        await c.run(`
          COPY (
            SELECT ${columns} FROM (
              SELECT ${sqlString(stream)} AS stream, ${sqlString(shardId)} AS shard_id,
                     '4960000000000000000000' || lpad(g::VARCHAR, 20, '0') AS sequence_number, 0::BIGINT AS sub_sequence_number,
                     'k' || (g % ${args.keys}) AS partition_key, NULL::VARCHAR AS explicit_hash_key,
                     make_timestamp((${startMs} + floor(g * ${spacing}))::BIGINT * 1000) AS arrival_time,
                     encode(${payloadSql(args.keys)}) AS data, g
              FROM range(${from}, ${to}) AS r(g) WHERE (g % ${args.keys}) % ${args.shards} = ${s}
            ) ORDER BY g
          ) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
        const [row] = (
          await c.runAndReadAll(
            `SELECT min(sequence_number), max(sequence_number), epoch_ms(min(arrival_time)), epoch_ms(max(arrival_time)), count(*),
                    (SELECT size FROM read_blob(${sqlString(path)})) FROM read_parquet(${sqlString(path)})`,
          )
        ).getRows();
        if (Number(row[4]) === 0) {
          rmSync(path);
          continue;
        }
        files.push(path);
        bytes += Number(row[5]);
        await writer.registerObject(upgradeArchiveObjectWritten({
          objectUri: `file://${path}`,
          stream,
          shardId,
          firstSequenceNumber: String(row[0]),
          lastSequenceNumber: String(row[1]),
          firstArrivalTime: new Date(Number(row[2])).toISOString(),
          lastArrivalTime: new Date(Number(row[3])).toISOString(),
          dt,
          hour,
          recordCount: Number(row[4]),
          bytes: Number(row[5]),
        }));
      }
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return { files, bytes };
}

/** K records shaped like the replay's output: each the size of an enveloped replay record of the same payload. */
function ceilingRecords(keys: number, source: string): { PartitionKey: string; Data: Buffer }[] {
  const replayId = '00000000-0000-4000-8000-000000000000';
  return Array.from({ length: keys }, (_, n) => {
    // the note is 128 hex characters in the archive, `version` a small number: the same lengths
    const payload = JSON.stringify({ id: n, key: `k${n}`, version: 9, type: `t${n % 5}`, customer: `c${n % 9973}`, amount: (n % 10000) / 100, note: 'f'.repeat(128) });
    const data = encodeReplayRecord(
      {
        replayId,
        op: 'upsert',
        source: { stream: source, shardId: 'shardId-000000000000', sequenceNumber: `4960000000000000000000${String(n).padStart(20, '0')}`, subSequenceNumber: 0, partitionKey: `k${n}`, arrivalTime: new Date().toISOString() },
        annotations: {},
      },
      Buffer.from(payload),
    );
    return { PartitionKey: `k${n}`, Data: data };
  });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The ceiling: plain PutRecords in batches of 500 with `inFlight` calls at once, resending entries Kinesis refused. */
async function ceiling(kinesis: KinesisClient, stream: string, records: { PartitionKey: string; Data: Buffer }[], inFlight: number): Promise<{ rate: number; cpuPerK: number }> {
  let next = 0;
  const [started, cpu] = [performance.now(), cpuMs()];
  const worker = async () => {
    while (next < records.length) {
      let batch = records.slice(next, next + BATCH);
      next += BATCH;
      while (batch.length > 0) {
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: batch }));
        batch = batch.filter((_, j) => out.Records?.[j]?.ErrorCode);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return { rate: (records.length * 1000) / (performance.now() - started), cpuPerK: ((cpuMs() - cpu) * 1000) / records.length };
}

/** Diagnostic: the replay's KinesisWriter alone (no plan file, no envelope encoding, no Postgres) on the same records. */
async function writerOnly(kinesis: KinesisClient, stream: string, records: { PartitionKey: string; Data: Buffer }[], config: FluxConfig): Promise<number> {
  const s = config.replay;
  const writer = await KinesisWriter.open(kinesis, {
    stream,
    shardRecordsPerSecond: s.shardRecordsPerSecond,
    shardBytesPerSecond: s.shardBytesPerSecond,
    reserveShare: s.reserveShare,
    maxInFlightBatches: s.maxInFlight,
  });
  const started = performance.now();
  for (const [ordinal, r] of records.entries()) await writer.write({ ordinal, partitionKey: r.PartitionKey, data: r.Data });
  await writer.flush();
  if (writer.stats().put !== records.length) throw new Error(`KinesisWriter put ${writer.stats().put} of ${records.length} records`);
  return (records.length * 1000) / (performance.now() - started);
}

/**
 * The planner's compaction run by a plain DuckDB instance over the same files, with the planner's limits:
 * - `copy`: a plain scan of the files as the stream table, then planSelectSql's COPY: the baseline;
 * - `engine-view` (diagnostic): the stream table shaped as the engine builds it (payload column, UNION ALL an empty
 *   live table), then the same COPY;
 * - `all-statements` (diagnostic): the plain scan, and every statement the planner runs: the watermarks, the COPY
 *   and the summary queries over the plan file.
 */
async function directCompaction(spec: ReplaySpec, files: string[], workDir: string, memoryLimit: string, threads: number, variant: 'copy' | 'engine-view' | 'all-statements'): Promise<number> {
  const dir = mkdtempSync(join(workDir, 'direct-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads), memory_limit: memoryLimit });
  const c = await instance.connect();
  const base = 'shard_id, sequence_number, sub_sequence_number, partition_key, arrival_time, data';
  const scan = `read_parquet([${files.map(sqlString).join(', ')}])`;
  const plan = sqlString(join(dir, 'plan.parquet'));
  try {
    await c.run(`SET temp_directory = ${sqlString(join(dir, 'spill'))}`);
    await c.run(`SET TimeZone = 'UTC'`);
    const started = performance.now();
    if (variant === 'engine-view') {
      await c.run(`CREATE TABLE __live (shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`);
      await c.run(
        `CREATE VIEW "${spec.source}" AS SELECT shard_id, sequence_number, sub_sequence_number, partition_key, arrival_time::TIMESTAMP AS arrival_time, data,
           TRY_CAST(TRY(decode(data)) AS JSON) AS payload, source
         FROM ((SELECT ${base}, 'archive' AS source FROM ${scan}) UNION ALL (SELECT ${base}, 'live' AS source FROM __live)) AS records`,
      );
    } else {
      // the stream table's columns (planSelectSql names them all), payload as the engine computes it for these files
      await c.run(`CREATE VIEW "${spec.source}" AS SELECT ${base}, TRY_CAST(TRY(decode(data)) AS JSON) AS payload, 'archive' AS source FROM ${scan}`);
    }
    if (variant === 'all-statements') {
      // the planner's watermark query (its POS expression is lpad(sequence_number, 64, '0'))
      await c.runAndReadAll(`SELECT shard_id, max(lpad(sequence_number, 64, '0')) AS pos FROM "${spec.source}" WHERE ${boundsSql(spec, true)} GROUP BY shard_id`);
    }
    await c.run(`COPY (${planSelectSql(spec)}) TO ${plan} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)`);
    if (variant === 'all-statements') {
      await c.runAndReadAll(
        `SELECT count(*), coalesce(sum(octet_length(data)), 0), count(DISTINCT key), count(*) FILTER (WHERE op = 'delete'), min(arrival_ms), max(arrival_ms) FROM read_parquet(${plan})`,
      );
      await c.runAndReadAll(`SELECT shard_id, count(*) AS n FROM read_parquet(${plan}) GROUP BY shard_id ORDER BY shard_id`);
      await c.runAndReadAll(
        `SELECT shard_id, sequence_number, partition_key, arrival_ms, key, op, TRY(decode(data)) AS text, base64(data) AS b64 FROM read_parquet(${plan}) ORDER BY ordinal LIMIT 10`,
      );
    }
    return performance.now() - started;
  } finally {
    c.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A replay service and worker wired as the coordinator wires them (and as the replay test fixture does). */
function replayStack(config: FluxConfig, ds: DataSource, kinesis: KinesisClient) {
  const store = createArchiveStore(config.archive);
  const queries = createQueryService({ ...config.query, workDir: join(config.replay.workDir, 'engine') }, { catalog: new CatalogReader(ds), archive: store, kinesis });
  const replays = new ReplayRepository(ds);
  const planner = new ReplayPlanner(queries, { workDir: config.replay.workDir, memoryLimit: config.replay.memoryLimit, live: config.replay.live });
  const report = (o: object) => process.stderr.write(`ReplayWorker ${JSON.stringify(o)}\n`);
  const worker = new ReplayWorker({ owner: `bench-${process.pid}`, replays, planner, kinesis, store, settings: config.replay, logger: { log: () => undefined, warn: report, error: report } });
  const service = new ReplayService({ replays, planner, queries, kinesis, publisher: { publish: async () => worker.wake() }, allowedTargets: config.replay.allowedTargets });
  worker.start();
  return {
    service,
    close: async () => {
      await worker.close();
      queries.close();
    },
  };
}

/** Polls a replay while it is in one of `states`. */
async function waitWhile(service: ReplayService, id: string, states: ReplayView['state'][], everyMs = 100): Promise<ReplayView> {
  for (;;) {
    const view = await service.get(id);
    if (!states.includes(view.state)) return view;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

async function deleteStream(kinesis: KinesisClient, name: string): Promise<void> {
  // kinesalite keeps every stream in memory: drop what was measured so later runs do not pay for it
  await kinesis.send(new DeleteStreamCommand({ StreamName: name })).catch(() => undefined);
}

async function measureSize(config: FluxConfig, ds: DataSource, kinesis: KinesisClient, root: string, label: string, args: Args): Promise<SizeResult> {
  const source = `orders-${label}`;
  const { files, bytes } = await writeArchive(ds, join(root, 'archive'), source, args);
  log(`${label}: ${args.records.toLocaleString('en-US')} records over ${args.keys.toLocaleString('en-US')} keys in ${files.length} objects (${mib(bytes)} Parquet)`);
  const request = { source, compact: true };
  const parsed = parseReplayRequest({ ...request, target: 'x' });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  const spec = parsed.spec;
  const { memoryLimit } = config.replay;
  const threads = config.query.threads;

  const r: SizeResult = {
    records: args.records,
    keys: args.keys,
    objects: files.length,
    parquetBytes: bytes,
    ceilingRates: [],
    writerRates: [],
    replayRates: [],
    ceilingCpuPerK: Infinity,
    replayCpuPerK: Infinity,
    planningMs: [],
    planningCpuMs: [],
    directMs: [],
    directCpuMs: [],
    directViewMs: [],
    directAllMs: [],
    rssBeforePlan: 0,
    peakPlan: 0,
    rssBeforeWrite: 0,
    peakWrite: 0,
  };
  const runCeilings = async (n: number) => {
    // built per run and dropped after it, so the replay's RSS does not carry them
    const records = ceilingRecords(args.keys, source);
    const [raw, viaWriter] = [`ceiling-${label}-${n}`, `writer-${label}-${n}`];
    await createStream(kinesis, raw, args.shards);
    const c = await ceiling(kinesis, raw, records, config.replay.maxInFlight);
    r.ceilingRates.push(c.rate);
    r.ceilingCpuPerK = Math.min(r.ceilingCpuPerK, c.cpuPerK);
    await deleteStream(kinesis, raw);
    await createStream(kinesis, viaWriter, args.shards);
    r.writerRates.push(await writerOnly(kinesis, viaWriter, records, config));
    await deleteStream(kinesis, viaWriter);
  };

  const replay = replayStack(config, ds, kinesis);
  try {
    // ceiling, direct DuckDB and replay interleaved, so a burst of load from elsewhere hits them alike
    for (let run = 0; run < args.runs; run++) {
      await runCeilings(run);
      let cpu = cpuMs();
      r.directMs.push(await directCompaction(spec, files, root, memoryLimit, threads, 'copy'));
      r.directCpuMs.push(cpuMs() - cpu);
      r.directViewMs.push(await directCompaction(spec, files, root, memoryLimit, threads, 'engine-view'));
      r.directAllMs.push(await directCompaction(spec, files, root, memoryLimit, threads, 'all-statements'));

      const target = `replay-${label}-${run}`;
      await createStream(kinesis, target, args.shards);
      resetPeak();
      const rssBeforePlan = rss().now;
      cpu = cpuMs();
      const created = await replay.service.create({ ...request, target }, 'bench');
      // the plan's peak is read when writing starts; then the peak is reset for the writing phase
      let view = await waitWhile(replay.service, created.id, ['planning'], 50);
      const peakPlan = rss().peak;
      r.planningCpuMs.push(cpuMs() - cpu);
      cpu = cpuMs();
      resetPeak(false); // the replay is writing already: no collection pause inside the measured phase
      const rssBeforeWrite = rss().now;
      view = await waitWhile(replay.service, created.id, ['running'], 200);
      const writeCpu = cpuMs() - cpu;
      const peakWrite = rss().peak;
      if (view.state !== 'completed') throw new Error(`replay ended ${view.state}: ${JSON.stringify(view.error)}`);
      if (view.progress.put !== args.keys) throw new Error(`the replay put ${view.progress.put} records, expected ${args.keys} (one per key)`);
      if (!view.startedAt || !view.finishedAt || !view.plan) throw new Error(`completed replay ${view.id} lacks startedAt, finishedAt or its plan`);
      await deleteStream(kinesis, target);
      const writeMs = Date.parse(view.finishedAt) - Date.parse(view.startedAt);
      r.planningMs.push(view.plan.planningMs);
      r.replayRates.push((view.progress.put * 1000) / writeMs);
      r.replayCpuPerK = Math.min(r.replayCpuPerK, (writeCpu * 1000) / view.progress.put);
      if (peakPlan > r.peakPlan) [r.peakPlan, r.rssBeforePlan] = [peakPlan, rssBeforePlan];
      if (peakWrite > r.peakWrite) [r.peakWrite, r.rssBeforeWrite] = [peakWrite, rssBeforeWrite];
      log(
        `  run ${run + 1}: ceiling ${perSec(r.ceilingRates[run])}, KinesisWriter alone ${perSec(r.writerRates[run])}; direct DuckDB ${Math.round(r.directMs[run])} ms; ` +
          `replay planned in ${view.plan.planningMs} ms, wrote ${view.progress.put.toLocaleString('en-US')} records in ${writeMs} ms (${perSec(r.replayRates[run])})`,
      );
    }
  } finally {
    await replay.close();
  }
  await runCeilings(args.runs);
  log(`  last: ceiling ${perSec(r.ceilingRates[args.runs])}, KinesisWriter alone ${perSec(r.writerRates[args.runs])}`);
  return r;
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) log(r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const args = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'flux-bench-replay-'));
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadDatabaseUrl();
  } catch {
    databaseUrl = undefined; // embedded PostgreSQL
  }
  const database = `flux_bench_replay_${process.pid}`;
  log(`replay benchmark: ${args.records.toLocaleString('en-US')} records over ${args.keys.toLocaleString('en-US')} keys, ${args.shards} shards x ${args.hours} hours; and a quarter of that`);
  const stack = await startLocalStack({ dataDir: root, databaseUrl, database });
  let ds: DataSource | undefined;
  let kinesis: KinesisClient | undefined;
  try {
    const config = loadConfig({
      ...stack.env,
      FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
      FLUX_SQS_QUEUE_PREFIX: `bench${process.pid}-`,
      FLUX_QUERY_WORK_DIR: join(root, 'query'),
      FLUX_REPLAY_WORK_DIR: join(root, 'replay'),
      FLUX_REPLAY_MEMORY_LIMIT: args.memoryLimit,
      FLUX_REPLAY_POLL_MS: '200',
      // kinesalite does not throttle: raise the per-shard limits so the writer's token buckets never hold it back
      FLUX_REPLAY_SHARD_RECORDS_PER_SECOND: '1000000',
      FLUX_REPLAY_SHARD_BYTES_PER_SECOND: '1073741824',
      LOG_LEVEL: 'warn',
    });
    await migrate(config.database.url);
    ds = await createDataSource(config.database.url).initialize();
    kinesis = createKinesisClient(config.aws);
    log(
      `replay writer: ${config.replay.maxInFlight} PutRecords in flight, batches of ${BATCH}, ${args.shards} target shards, per-shard limits raised to ` +
        `${config.replay.shardRecordsPerSecond.toLocaleString('en-US')} records/s and ${mib(config.replay.shardBytesPerSecond)}/s (kinesalite does not throttle); ` +
        `planner and direct DuckDB: ${config.query.threads} threads, memory_limit ${config.replay.memoryLimit}`,
    );
    const sizes: [string, Args][] = [
      ['quarter', { ...args, records: Math.max(1, Math.round(args.records / 4)), keys: Math.max(1, Math.round(args.keys / 4)) }],
      ['full', args],
    ];
    const results: [string, SizeResult][] = [];
    for (const [label, size] of sizes) results.push([label, await measureSize(config, ds, kinesis, root, label, size)]);

    const best = (xs: number[]) => Math.max(...xs);
    const fastest = (xs: number[]) => Math.min(...xs);
    const all = (xs: number[]) => xs.map(Math.round).join(', ');
    const verdict = (ok: boolean, target: string) => `${target} ${ok ? 'ok' : 'MISSED'}`;
    log('');
    log(`put rate (records/s) over ${args.runs} runs, fastest counts: ceiling = plain PutRecords (before each replay and after the last); replay = records acknowledged / (finishedAt - startedAt)`);
    table([
      ['size', 'records', 'keys', 'ceiling', 'KinesisWriter alone', 'replay', 'put ratio', 'target', 'per run', 'cpu ms/1k: ceiling', 'replay'],
      ...results.map(([label, r]) => {
        const ratio = best(r.replayRates) / best(r.ceilingRates);
        // each replay against the faster of the ceilings measured just before and just after it
        const paired = r.replayRates.map((rate, i) => (rate / Math.max(r.ceilingRates[i], r.ceilingRates[i + 1])).toFixed(2));
        return [
          label,
          r.records.toLocaleString('en-US'),
          r.keys.toLocaleString('en-US'),
          `${Math.round(best(r.ceilingRates))} (${all(r.ceilingRates)})`,
          `${Math.round(best(r.writerRates))} (${all(r.writerRates)})`,
          `${Math.round(best(r.replayRates))} (${all(r.replayRates)})`,
          ratio.toFixed(2),
          verdict(ratio >= 0.9, '>= 0.9'),
          paired.join(', '),
          r.ceilingCpuPerK.toFixed(0),
          r.replayCpuPerK.toFixed(0),
        ];
      }),
    ]);
    log('');
    log(`planning (ms) over ${args.runs} runs, fastest counts: planner = the plan summary's planningMs; direct = planSelectSql's COPY by a plain DuckDB; cpu = this process's CPU time`);
    table([
      ['size', 'planner', 'direct', 'plan ratio', 'target', 'cpu ratio', "direct over the engine's view", 'direct, all planner statements'],
      ...results.map(([label, r]) => {
        const ratio = fastest(r.planningMs) / fastest(r.directMs);
        return [
          label,
          `${fastest(r.planningMs)} (${all(r.planningMs)})`,
          `${Math.round(fastest(r.directMs))} (${all(r.directMs)})`,
          ratio.toFixed(2),
          verdict(ratio <= 1.2, '<= 1.2'),
          (fastest(r.planningCpuMs) / fastest(r.directCpuMs)).toFixed(2),
          `${Math.round(fastest(r.directViewMs))} (${all(r.directViewMs)})`,
          `${Math.round(fastest(r.directAllMs))} (${all(r.directAllMs)})`,
        ];
      }),
    ]);
    log('');
    log(`peak RSS of this process (VmHWM${peakResettable ? ', reset at the start of each phase' : ', could not be reset: it only grows'}), the highest over the runs`);
    table([
      ['size', 'archive', 'RSS before plan', 'peak plan', 'RSS before write', 'peak write'],
      ...results.map(([label, r]) => [label, `${r.records.toLocaleString('en-US')} records, ${mib(r.parquetBytes)}`, mib(r.rssBeforePlan), mib(r.peakPlan), mib(r.rssBeforeWrite), mib(r.peakWrite)]),
    ]);
    const [q, f] = [results[0][1], results[1][1]];
    log(`full vs quarter size: peak plan ${(f.peakPlan / q.peakPlan).toFixed(2)}x, peak write ${(f.peakWrite / q.peakWrite).toFixed(2)}x for 4x the archive`);
  } finally {
    kinesis?.destroy();
    await ds?.destroy();
    if (databaseUrl) {
      // an external server keeps its databases: drop the one this run created
      const admin = new Client({ connectionString: stack.endpoints.adminDatabaseUrl });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
    }
    await stack.stop();
    if (!args.keep) rmSync(root, { recursive: true, force: true });
    else log(`kept ${root}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:replay failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
