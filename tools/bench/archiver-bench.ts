/**
 * `npm run bench:archiver [-- --scenario deep|wide|all --records 1000000 --record-size 1024 --shards 4
 *   --wide-shards 64 --rate 10 --seconds 60 --interval 10 --buffer-mib N --memory-mib N --rounds 3 --keep]`
 *
 * Starts the local stack (kinesalite, s3rver, SQS emulator; Postgres from DATABASE_URL or embedded) and runs, each
 * against its baseline measured in the same run:
 *
 * deep (`--records` JSON records of ~`--record-size` bytes on `--shards` shards, produced before anything reads):
 *   (a) a plain GetRecords loop drains every shard (no processing: the ceiling of this endpoint), timed, with the CPU
 *       this process spent on it;
 *   (b) `fluxcap archive --once` as a child drains the same records to durable, announced, checkpointed Parquet,
 *       with field columns on (the stream is first given the catalog schema the catalog infers from its records, so
 *       the archiver chooses its columns as in service: one per scalar path but the long-text `note`):
 *       its rate from its own summary (durationMs, start-up excluded), its peak RSS (VmHWM of /proc/<pid>/status)
 *       and its CPU (user + system, from this process's reaped-children times in /proc/self/stat, less the same
 *       command's CPU on an empty stream: start-up and exit).
 *   (c) the same command again from the start of the same records, field columns off (FLUX_ARCHIVER_FIELD_COLUMNS=0,
 *       another archive prefix, checkpoints of (b) deleted): what the field columns cost the drain, in the same run.
 *   Then `--rounds` - 1 more rounds of (a) and (b) alternated (each (b) from the start, into a prefix of its own): one
 *   drain moves by +-15 % on this shared machine, so the goal is judged on the fastest (a) against the fastest (b).
 *   Prints the rates, the ratios (b)/(a) (goal >= 0.95, fastest of the rounds) and (c)/(a), (b) against (c), peak RSS (goal <= 400 MiB at
 *   default settings), CPU per MiB of records for each, archive bytes vs raw bytes, objects, and checks every
 *   produced record is archived once by every (b) and by (c). For each of (a), (b), (c) also what the endpoints spent
 *   (kinesalite's and s3rver's CPU per MiB, and the share of the run each was busy): they share the machine's two
 *   cores with what is measured, and a busy share of kinesalite below (a)'s says the reader left it waiting.
 *   BENCH_PROF=1 adds each archiver child's .cpuprofile (in /tmp/flux-prof), its CPU by thread name and a timeline
 *   of its, kinesalite's and s3rver's CPU per half second. BENCH_NODE_FLAGS (e.g. `--max-semi-space-size=64`) passes
 *   node flags to the archiver children alone, for experiments with the runtime.
 *
 * wide (`--wide-shards` shards at `--rate` records/s each for `--seconds`, FLUX_BUFFER_INTERVAL_SECONDS=`--interval`):
 *   two continuous archivers (`fluxcap archive --stream S`, stopped with SIGTERM once their checkpoints reach the
 *   last produced record) run at the same time on two identical streams fed by one producer:
 *   FLUX_ARCHIVER_OBJECT_SCOPE=shard (one shard per object, the per-shard layout: the baseline) and =stream (the
 *   default). Running them side by side keeps the run short and puts both under the same load.
 *   Prints objects per hour of data, shards per object, peak RSS and CPU of the whole run for each, the object ratio
 *   shard/stream (goal >= 10x), and checks that each archive holds every produced record exactly once.
 *
 * Buffering settings are the defaults unless `--buffer-mib` / `--memory-mib` are given. The exactly-once checks read
 * the objects back with DuckDB; a failed check makes the run exit 1 (missed goals do not: they are measurements).
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CreateStreamCommand,
  DeleteStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
  type PutRecordsRequestEntry,
} from '@aws-sdk/client-kinesis';
import { DuckDBInstance } from '@duckdb/node-api';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { CatalogWriter, SchemaObserver } from '@flux-capacitor/archive-catalog';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { loadConfig, loadDatabaseUrl } from '@flux-capacitor/config';
import { ARCHIVE_KV_METADATA, DEFAULT_MAX_FIELD_COLUMNS, fieldColumnNames, isLongText, selectFieldColumns } from '@flux-capacitor/contracts';
import { startLocalStack, waitForStreamActive } from '@flux-capacitor/local-stack';
import { createDataSource, migrate, type CatalogSchemaField } from '@flux-capacitor/persistence';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

const SCENARIOS = ['deep', 'wide', 'all'] as const;

interface Args {
  scenario: (typeof SCENARIOS)[number];
  /** deep: records, their size and the shard count */
  records: number;
  recordSize: number;
  shards: number;
  /** wide: shards, records/s per shard, seconds of producing, FLUX_BUFFER_INTERVAL_SECONDS */
  wideShards: number;
  rate: number;
  seconds: number;
  interval: number;
  /** FLUX_BUFFER_SIZE_MIB / FLUX_ARCHIVER_MEMORY_MIB of the archivers under test; unset = the defaults */
  bufferMib?: number;
  memoryMib?: number;
  /** deep: rounds of (a) and (b) alternated; the fastest of each counts */
  rounds: number;
  keep: boolean;
}

const USAGE =
  'options: --scenario deep|wide|all --records N --record-size B --shards N (deep) --wide-shards N --rate R (records/s per shard) ' +
  '--seconds S --interval S (wide) --buffer-mib N --memory-mib N --rounds N (deep: (a) and (b) alternated, fastest counts) --keep';

function parseArgs(argv: string[]): Args {
  const args: Args = { scenario: 'all', records: 1_000_000, recordSize: 1024, shards: 4, wideShards: 64, rate: 10, seconds: 60, interval: 10, rounds: 3, keep: false };
  const numeric: Record<string, keyof Args> = {
    '--records': 'records',
    '--record-size': 'recordSize',
    '--shards': 'shards',
    '--wide-shards': 'wideShards',
    '--rate': 'rate',
    '--seconds': 'seconds',
    '--interval': 'interval',
    '--buffer-mib': 'bufferMib',
    '--memory-mib': 'memoryMib',
    '--rounds': 'rounds',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--keep') args.keep = true;
    else if (flag === '--scenario') {
      const value = argv[++i] as Args['scenario'];
      if (!SCENARIOS.includes(value)) throw new Error(`--scenario takes ${SCENARIOS.join(', ')}\n${USAGE}`);
      args.scenario = value;
    } else if (flag in numeric) {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a whole number >= 1`);
      (args as unknown as Record<string, number>)[numeric[flag]] = value;
    } else throw new Error(`unknown option ${flag}\n${USAGE}`);
  }
  if (args.wideShards > 200) throw new Error('--wide-shards: kinesalite here allows 200 shards per account and the run creates two streams');
  return args;
}

const ROOT = resolve(__dirname, '../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const int = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (n: number, ms: number) => `${int((n / ms) * 1000)} records/s`;
const goal = (met: boolean) => (met ? 'ok' : 'MISSED');
const log = (s: string) => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function jsonRecord(i: number, size: number): Buffer {
  const base = { id: i, type: ['order', 'click', 'view', 'refund'][i % 4], customer: `c-${i % 9973}`, amount: (i % 10000) / 100, at: new Date().toISOString() };
  const text = JSON.stringify(base);
  // Hex of random bytes: realistic entropy (compresses about 2:1), unlike a run of one letter.
  const pad = Math.max(0, size - text.length - 10);
  return Buffer.from(JSON.stringify({ ...base, note: randomBytes(Math.ceil(pad / 2)).toString('hex').slice(0, pad) }));
}

/** What a producer wrote: records and bytes, and per shard the highest sequence number. */
class Produced {
  records = 0;
  bytes = 0;
  readonly lastSequence = new Map<string, bigint>();

  /** PutRecords until every entry is in; entries that come back throttled or failed are sent again. */
  async put(kinesis: KinesisClient, stream: string, entries: PutRecordsRequestEntry[]): Promise<void> {
    let pending = entries;
    while (pending.length > 0) {
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
      const failed: PutRecordsRequestEntry[] = [];
      pending.forEach((entry, j) => {
        const result = out.Records?.[j];
        if (!result || result.ErrorCode || !result.ShardId || !result.SequenceNumber) return void failed.push(entry);
        this.records++;
        this.bytes += entry.Data!.length;
        const sequence = BigInt(result.SequenceNumber);
        if (sequence > (this.lastSequence.get(result.ShardId) ?? -1n)) this.lastSequence.set(result.ShardId, sequence);
      });
      pending = failed;
      if (pending.length > 0) await sleep(100);
    }
  }
}

/** CPU the endpoints spent between two samples. */
const since = (before: { kinesis: number; s3: number }, after: { kinesis: number; s3: number }) => ({
  kinesis: after.kinesis - before.kinesis,
  s3: after.s3 - before.s3,
});
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;

/** CPU ms (user + system) from /proc/<pid>/stat: the process's own, or those of its children it has reaped. */
function procCpuMs(pid: number | 'self', which: 'own' | 'reaped-children'): number {
  // Fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15, cutime 16, cstime 17.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const at = which === 'own' ? 11 : 13;
  // /proc reports clock ticks of USER_HZ, 100 per second on Linux.
  return (Number(fields[at]) + Number(fields[at + 1])) * 10;
}

/** BENCH_PROF: the emulators whose CPU the archiver's timeline shows beside its own */
let profPeers: number[] = [];

/** CPU ms of each thread of a process so far, keyed `tid:name`. */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${tid}:${name}`, (Number(fields[11]) + Number(fields[12])) * 10);
    } catch {
      /* the thread ended meanwhile */
    }
  }
  return out;
}

interface ChildRun {
  /** `--once --json` output, parsed */
  summary?: { records: number; objects: number; bytes: number; durationMs: number };
  wallMs: number;
  /** highest VmHWM seen (polled every 100 ms) */
  peakRss: number;
  /** CPU ms of the child: last sample of /proc/<pid>/stat (up to 100 ms short) */
  cpuMs: number;
}

interface ArchiverChild {
  done: Promise<ChildRun>;
  /** SIGTERM: the archiver flushes, commits and exits */
  stop(): void;
  /** the child exited without being asked to (its `done` tells why) */
  exitedEarly(): boolean;
}

/** `fluxcap archive --stream S [--once --json]` as a child, watched for peak RSS and CPU. */
function runArchiver(env: Record<string, string>, stream: string, once: boolean): ArchiverChild {
  const started = Date.now();
  const prof = [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/flux-prof'] : []), ...(process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [...prof, FLUXCAP, 'archive', '--stream', stream, ...(once ? ['--once', '--json'] : [])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
  let peakRss = 0;
  let cpuMs = 0;
  const threads = new Map<string, number>();
  const timeline: string[] = [];
  let last: { at: number; cpu: number[] } | undefined;
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
      cpuMs = Math.max(cpuMs, procCpuMs(child.pid!, 'own'));
      if (process.env.BENCH_PROF) {
        for (const [tid, ms] of threadCpuMs(child.pid!)) threads.set(tid, ms);
        const at = Date.now();
        if (!last || at - last.at >= 500) {
          const cpu = [procCpuMs(child.pid!, 'own'), ...profPeers.map((pid) => procCpuMs(pid, 'own'))];
          if (last) timeline.push(cpu.map((ms, i) => Math.round(((ms - last!.cpu[i]) / (at - last!.at)) * 100)).join('/'));
          last = { at, cpu };
        }
      }
    } catch {
      /* exited */
    }
  }, 100);
  const done = new Promise<ChildRun>((resolvePromise, reject) => {
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      const wallMs = Date.now() - started;
      if (threads.size > 0) {
        const byName = new Map<string, number>();
        for (const [tid, ms] of threads) byName.set(tid.split(':')[1], (byName.get(tid.split(':')[1]) ?? 0) + ms);
        log(`BENCH_PROF: CPU of ${stream}'s archiver by thread name: ${[...byName].map(([n, ms]) => `${n} ${(ms / 1000).toFixed(1)} s`).join(', ')}`);
        log(`BENCH_PROF: % of a core per ~0.5 s, archiver/kinesis emulator/s3rver: ${timeline.join(' ')}`);
      }
      if (code !== 0) return reject(new Error(`fluxcap archive --stream ${stream} exited ${code ?? signal}: ${stderr.slice(-2000)}`));
      try {
        resolvePromise({ summary: once ? JSON.parse(stdout) : undefined, wallMs, peakRss, cpuMs });
      } catch {
        reject(new Error(`fluxcap archive printed no JSON summary: ${stdout.slice(0, 500)} ${stderr.slice(-1000)}`));
      }
    });
  });
  // awaited later; meanwhile a failure must not count as an unhandled rejection
  done.catch(() => undefined);
  let stopRequested = false;
  return {
    done,
    stop: () => {
      stopRequested = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
    exitedEarly: () => !stopRequested && (child.exitCode !== null || child.signalCode !== null),
  };
}

async function createStream(kinesis: KinesisClient, stream: string, shards: number): Promise<void> {
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shards }));
  await waitForStreamActive(kinesis, stream);
}

/** What reading the archive of one stream back with DuckDB found. */
interface ArchiveCheck {
  objects: number;
  bytes: number;
  rows: number;
  /** distinct (shard, sequence number, sub-sequence number) */
  distinct: number;
  /** mean distinct shards per object */
  shardsPerObject: number;
  /** every produced record is in the archive, none twice */
  exactlyOnce: boolean;
  /** field columns (flux.fields) of the object with the fewest */
  fieldColumns: number;
}

/**
 * Downloads every object of `stream` and counts its rows with DuckDB. The stream holds only produced records, so
 * `rows == distinct == produced` means each produced record is archived exactly once (none lost, none twice).
 */
async function checkArchive(store: ArchiveStore, stream: string, produced: number, workDir: string): Promise<ArchiveCheck> {
  const dir = mkdtempSync(join(workDir, 'check-'));
  const files: string[] = [];
  let bytes = 0;
  try {
    for await (const o of store.list(`${stream}/`)) {
      const path = join(dir, `${files.length}.parquet`);
      await store.getToFile(o.key, path);
      files.push(path);
      bytes += o.size;
    }
    if (files.length === 0) return { objects: 0, bytes: 0, rows: 0, distinct: 0, shardsPerObject: 0, exactlyOnce: produced === 0, fieldColumns: 0 };
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const c = await instance.connect();
    try {
      const list = `[${files.map((f) => `'${f}'`).join(', ')}]`;
      const [row] = (
        await c.runAndReadAll(
          `SELECT count(*), count(DISTINCT (shard_id, sequence_number, sub_sequence_number)), count(DISTINCT shard_id || '/' || filename) / count(DISTINCT filename)
           FROM read_parquet(${list}, filename = true)`,
        )
      ).getRows();
      const [rows, distinct, shardsPerObject] = row.map(Number);
      const [[fieldColumns]] = (
        await c.runAndReadAll(
          `SELECT min(coalesce(json_array_length(fields), 0)) FROM (SELECT file_name, max(CASE WHEN decode(key) = '${ARCHIVE_KV_METADATA.fields}' THEN decode(value) END) AS fields FROM parquet_kv_metadata(${list}) GROUP BY file_name)`,
        )
      ).getRows();
      return { objects: files.length, bytes, rows, distinct, shardsPerObject, exactlyOnce: rows === produced && distinct === produced, fieldColumns: Number(fieldColumns) };
    } finally {
      c.closeSync();
      instance.closeSync();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const exactlyOnceLine = (label: string, check: ArchiveCheck, produced: number) =>
  `exactly once${label}: ${int(check.rows)} rows, ${int(check.distinct)} distinct records of ${int(produced)} produced: ${check.exactlyOnce ? 'ok' : 'FAILED'}`;

interface Bench {
  args: Args;
  env: Record<string, string>;
  kinesis: KinesisClient;
  store: ArchiveStore;
  /** the store of another archive URI (same endpoint) */
  storeAt(uri: string): ArchiveStore;
  databaseUrl: string;
  dataDir: string;
  /** no buffering setting named on the command line: the memory goal is stated for the defaults */
  defaults: boolean;
  /** CPU ms the Kinesis and S3 emulators have used so far (they share this machine's cores with what is measured) */
  endpointCpuMs(): { kinesis: number; s3: number };
  kinesisEmulator: string;
}

/** deep: one burst of records drained by a plain loop, then by `fluxcap archive --once`. Returns false when a check failed. */
async function deep(bench: Bench): Promise<boolean> {
  const { args, kinesis } = bench;
  const stream = `bench-${process.pid}-deep`;
  log(`== deep: ${int(args.records)} records of ~${args.recordSize} B on ${args.shards} shards, drained by a plain GetRecords loop (a), then by fluxcap archive --once (b)`);
  await createStream(kinesis, stream, args.shards);

  const produced = new Produced();
  const producing = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < args.records) {
      const from = next;
      const to = Math.min(args.records, from + 500);
      next = to;
      await produced.put(
        kinesis,
        stream,
        Array.from({ length: to - from }, (_, j) => ({ PartitionKey: `k-${from + j}`, Data: jsonRecord(from + j, args.recordSize) })),
      );
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  log(`produced   ${int(produced.records)} records, ${mib(produced.bytes)} in ${((Date.now() - producing) / 1000).toFixed(1)} s`);

  // (a) every shard with GetRecords(10,000) as fast as the endpoint answers
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  const plainDrain = async () => {
    const cpuBefore = process.cpuUsage();
    const endpointBefore = bench.endpointCpuMs();
    const started = Date.now();
    const counts = await Promise.all(
      shards.map(async (s) => {
        let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: s.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
        let n = 0;
        while (it) {
          const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: it, Limit: 10_000 }));
          n += out.Records?.length ?? 0;
          if ((out.Records?.length ?? 0) === 0 && (out.MillisBehindLatest ?? 0) === 0) break;
          it = out.NextShardIterator;
        }
        return n;
      }),
    );
    const ms = Date.now() - started;
    const endpoint = since(endpointBefore, bench.endpointCpuMs());
    const cpu = process.cpuUsage(cpuBefore);
    const drained = counts.reduce((a, b) => a + b, 0);
    if (drained !== produced.records) throw new Error(`plain loop read ${drained} records, expected ${produced.records}`);
    return { ms, endpoint, cpuMs: (cpu.user + cpu.system) / 1000 };
  };
  const { ms: drainMs, endpoint: drainEndpoint, cpuMs: drainCpuMs } = await plainDrain();
  const rawMiB = produced.bytes / MiB;
  log(`(a) plain GetRecords loop: ${rate(produced.records, drainMs)} (${(drainMs / 1000).toFixed(1)} s), CPU ${(drainCpuMs / 1000).toFixed(1)} s = ${(drainCpuMs / rawMiB).toFixed(1)} ms/MiB`);
  const endpointLine = (run: string, cpu: { kinesis: number; s3: number }, ms: number) =>
    `endpoints during ${run}: ${bench.kinesisEmulator} ${(cpu.kinesis / rawMiB).toFixed(1)} ms/MiB, busy ${pct(cpu.kinesis / ms)} of the run; ` +
    `s3rver ${(cpu.s3 / rawMiB).toFixed(1)} ms/MiB, busy ${pct(cpu.s3 / ms)}`;
  log(endpointLine('(a)', drainEndpoint, drainMs));

  // (b) the archiver. Its CPU comes from this process's reaped-children times (exact: it is the only child that
  // exits meanwhile), less what the same command costs on an empty stream of as many shards (start-up and exit).
  const archive = async (name: string, env: Record<string, string> = {}) => {
    const reapedBefore = procCpuMs('self', 'reaped-children');
    const endpointBefore = bench.endpointCpuMs();
    const run = await runArchiver({ ...bench.env, FLUX_ARCHIVER_WORKER_ID: 'bench-deep', FLUX_ARCHIVER_TEMP_DIR: join(bench.dataDir, 'tmp-deep'), ...env }, name, true).done;
    const endpoint = since(endpointBefore, bench.endpointCpuMs());
    return { ...run, endpoint, cpuMs: Math.max(run.cpuMs, procCpuMs('self', 'reaped-children') - reapedBefore) };
  };
  const empty = `${stream}-empty`;
  await createStream(kinesis, empty, args.shards);
  const idle = await archive(empty);
  await deleteStream(kinesis, empty);
  // Field columns on (issue 13): the stream gets the catalog schema the catalog infers from its records, so the
  // archiver chooses its columns as in service (the run above migrated the database).
  const { fieldColumns, skipped } = await giveCatalogSchema(bench.databaseUrl, stream, args.records, args.recordSize);
  log(
    `field columns: ${fieldColumns.length} per object (${fieldColumns.join(', ')}), chosen from the stream's catalog schema` +
      `${skipped.length > 0 ? `; none for long text: ${skipped.join(', ')}` : ''}`,
  );
  const run = await archive(stream);
  const archiverCpuMs = Math.max(0, run.cpuMs - idle.cpuMs);
  const summary = run.summary!;
  log(
    `(b) archiver to durable objects: ${rate(summary.records, summary.durationMs)} (${(summary.durationMs / 1000).toFixed(1)} s; ` +
      `${(run.wallMs / 1000).toFixed(1)} s with process start-up), CPU ${(archiverCpuMs / 1000).toFixed(1)} s = ${(archiverCpuMs / rawMiB).toFixed(1)} ms/MiB ` +
      `(${(run.cpuMs / 1000).toFixed(1)} s less ${(idle.cpuMs / 1000).toFixed(1)} s for start-up and exit on an empty stream)`,
  );
  // The endpoints' CPU is over the child's whole life, over its drain time: its start-up and exit ask them next to
  // nothing (a few small calls), so this is the drain's share, as (a)'s.
  log(endpointLine('(b)', run.endpoint, summary.durationMs));
  const ratio = drainMs / summary.durationMs;
  log(`ratio (b)/(a): ${ratio.toFixed(2)} (round 1 of ${args.rounds}; the goal is judged on the fastest runs, below), field columns on`);
  log(`CPU per MiB of records: archiver ${(archiverCpuMs / rawMiB).toFixed(1)} ms, plain loop ${(drainCpuMs / rawMiB).toFixed(1)} ms (${(archiverCpuMs / drainCpuMs).toFixed(2)}x)`);
  log(`archiver peak RSS: ${mib(run.peakRss)} (${bench.defaults ? `goal <= 400 MiB at default settings: ${goal(run.peakRss <= 400 * MiB)}` : 'settings from the command line, no goal'})`);

  if (summary.records !== produced.records) log(`archiver summary: ${int(summary.records)} records, expected ${int(produced.records)}: FAILED`);
  const check = await checkArchive(bench.store, stream, produced.records, bench.dataDir);
  log(`archive ${mib(check.bytes)} vs raw ${mib(produced.bytes)} (${((check.bytes / produced.bytes) * 100).toFixed(1)} %), ${check.objects} objects`);
  if (check.fieldColumns !== fieldColumns.length) log(`field columns in the objects: ${check.fieldColumns}, expected ${fieldColumns.length}: FAILED`);
  log(exactlyOnceLine('', check, produced.records));

  // (c) the same archiver with field columns off (FLUX_ARCHIVER_FIELD_COLUMNS=0), from the start of the same records
  // into another archive prefix: what the field columns cost the drain, measured in the same run.
  const offUri = `${bench.env.FLUX_ARCHIVE_URI}-no-fields`;
  // the checkpoints (and, by cascade, any intent) of the run before: the next run reads the stream from its start
  const clearCheckpoints = async () => {
    const db = new Client({ connectionString: bench.databaseUrl });
    await db.connect();
    try {
      await db.query(`DELETE FROM archiver_shard_lease WHERE stream_name = $1`, [stream]);
    } finally {
      await db.end();
    }
  };
  await clearCheckpoints();
  const offRun = await archive(stream, { FLUX_ARCHIVE_URI: offUri, FLUX_ARCHIVER_FIELD_COLUMNS: '0', FLUX_ARCHIVER_WORKER_ID: 'bench-deep-off' });
  const offSummary = offRun.summary!;
  const offCpuMs = Math.max(0, offRun.cpuMs - idle.cpuMs);
  const offRatio = drainMs / offSummary.durationMs;
  log(
    `(c) the same, field columns off: ${rate(offSummary.records, offSummary.durationMs)} (${(offSummary.durationMs / 1000).toFixed(1)} s), ` +
      `CPU ${(offCpuMs / 1000).toFixed(1)} s = ${(offCpuMs / rawMiB).toFixed(1)} ms/MiB, peak RSS ${mib(offRun.peakRss)}`,
  );
  log(endpointLine('(c)', offRun.endpoint, offSummary.durationMs));
  log(
    `ratio (c)/(a): ${offRatio.toFixed(2)}; field columns on against off: drain rate ${(ratio / offRatio).toFixed(2)}, ` +
      `CPU per MiB ${(archiverCpuMs / Math.max(1, offCpuMs)).toFixed(2)}x (one run each, on first)`,
  );
  if (offSummary.records !== produced.records) log(`archiver summary (c): ${int(offSummary.records)} records, expected ${int(produced.records)}: FAILED`);
  const offCheck = await checkArchive(bench.storeAt(offUri), stream, produced.records, bench.dataDir);
  log(exactlyOnceLine(' (c)', offCheck, produced.records));

  // More rounds of (a) and (b), alternated, each (b) from the stream's start into an archive prefix of its own: on
  // this shared machine one drain moves by +-15 % (the emulator's own cost per MiB varies that much between runs), so
  // the goal is judged on the fastest loop against the fastest archiver, as bench:query judges its queries.
  let bestLoopMs = drainMs;
  let bestArchiverMs = summary.durationMs;
  let roundsOk = true;
  for (let round = 2; round <= args.rounds; round++) {
    const loop = await plainDrain();
    await clearCheckpoints();
    const uri = `${bench.env.FLUX_ARCHIVE_URI}-round-${round}`;
    const again = await archive(stream, { FLUX_ARCHIVE_URI: uri, FLUX_ARCHIVER_WORKER_ID: `bench-deep-${round}` });
    const s = again.summary!;
    bestLoopMs = Math.min(bestLoopMs, loop.ms);
    bestArchiverMs = Math.min(bestArchiverMs, s.durationMs);
    log(`round ${round}: (a) ${rate(produced.records, loop.ms)}, (b) ${rate(s.records, s.durationMs)}, ratio ${(loop.ms / s.durationMs).toFixed(2)}`);
    const roundCheck = await checkArchive(bench.storeAt(uri), stream, produced.records, bench.dataDir);
    log(exactlyOnceLine(` (round ${round})`, roundCheck, produced.records));
    roundsOk = roundsOk && roundCheck.exactlyOnce && s.records === produced.records;
  }
  const best = bestLoopMs / bestArchiverMs;
  log(
    `ratio (b)/(a), fastest of ${args.rounds} round${args.rounds === 1 ? '' : 's'}: ${best.toFixed(2)} ` +
      `(${rate(produced.records, bestArchiverMs)} vs ${rate(produced.records, bestLoopMs)}; goal >= 0.95: ${goal(best >= 0.95)}), field columns on`,
  );
  // kinesalite keeps every stream in memory: free it before the next scenario
  await deleteStream(kinesis, stream);
  return (
    roundsOk &&
    check.exactlyOnce &&
    summary.records === produced.records &&
    check.fieldColumns === fieldColumns.length &&
    offCheck.exactlyOnce &&
    offSummary.records === produced.records &&
    offCheck.fieldColumns === 0
  );
}

/** Records of each object the catalog reads to infer a schema (FLUX_CATALOG_SCHEMA_SAMPLE_RECORDS' default). */
const CATALOG_SAMPLE_RECORDS = 10_000;

/**
 * Gives `stream` the catalog schema the catalog would infer from its records: jsonRecord's records (a sample as large
 * as the catalog reads of an object) through the catalog's own inference and schema merge, so the schema carries the
 * string lengths selectFieldColumns decides by. Returns the field columns the archiver will choose from it and the
 * string paths left out as long text.
 */
async function giveCatalogSchema(databaseUrl: string, stream: string, records: number, recordSize: number): Promise<{ fieldColumns: string[]; skipped: string[] }> {
  const observer = new SchemaObserver();
  const now = Date.now();
  for (let i = 0; i < Math.min(records, CATALOG_SAMPLE_RECORDS); i++) observer.observe(jsonRecord(i, recordSize), now);
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    await new CatalogWriter(ds).recordSchema(stream, observer.result());
    const [{ fields }] = (await ds.query(`SELECT fields FROM catalog_schema_version WHERE stream = $1 ORDER BY version DESC LIMIT 1`, [stream])) as {
      fields: CatalogSchemaField[];
    }[];
    const chosen = selectFieldColumns(fields, DEFAULT_MAX_FIELD_COLUMNS, { skipLongText: true });
    const skipped = fields.filter(isLongText).map((f) => `${f.path} (mean ${Math.round(f.stringLengths?.meanBytes ?? 0)} B)`);
    return { fieldColumns: fieldColumnNames(chosen.map((c) => c.path)), skipped };
  } finally {
    await ds.destroy();
  }
}

/**
 * Deletes a stream; one already gone counts as deleted. kinesalite can take longer than the client's socket bound to
 * drop a stream of a million records, and the SDK's retry of that DeleteStream then finds it gone.
 */
async function deleteStream(kinesis: KinesisClient, name: string): Promise<void> {
  await kinesis.send(new DeleteStreamCommand({ StreamName: name })).catch((err: unknown) => {
    if ((err as { name?: string }).name !== 'ResourceNotFoundException') throw err;
  });
}

let leaseTableUnreadable = false;

/**
 * Lease rows of `stream`: how many are held now, and how many have a checkpoint at or past `last` (per shard).
 * Null when the lease table cannot be read as this expects (its schema changed): the caller then waits by time.
 */
async function leaseProgress(db: Client, stream: string, last: Map<string, bigint>): Promise<{ held: number; caughtUp: number } | null> {
  if (leaseTableUnreadable) return null;
  let rows: { shard_id: string; held: boolean; checkpoint: string | null }[];
  try {
    ({ rows } = await db.query<{ shard_id: string; held: boolean; checkpoint: string | null }>(
      `SELECT shard_id, owner IS NOT NULL AND lease_expires_at > now() AS held, checkpoint_sequence_number AS checkpoint
       FROM archiver_shard_lease WHERE stream_name = $1`,
      [stream],
    ));
  } catch (error) {
    if (leaseTableUnreadable) return null; // a concurrent call has said so
    leaseTableUnreadable = true;
    log(`(cannot read leases and checkpoints, ${error instanceof Error ? error.message : String(error)}: waiting by time instead)`);
    return null;
  }
  return {
    held: rows.filter((r) => r.held).length,
    // a shard that got no record has nothing to catch up with
    caughtUp: rows.filter((r) => !last.has(r.shard_id) || (r.checkpoint !== null && BigInt(r.checkpoint) >= last.get(r.shard_id)!)).length,
  };
}

/** wide: many quiet shards archived continuously, per-shard objects against stream objects, side by side. */
async function wide(bench: Bench): Promise<boolean> {
  const { args, kinesis } = bench;
  const scopes = ['shard', 'stream'] as const;
  const perSecond = args.wideShards * args.rate;
  log(
    `== wide: ${args.wideShards} shards x ${args.rate} records/s (${int(perSecond)} records/s) of ~${args.recordSize} B for ${args.seconds} s, ` +
      `FLUX_BUFFER_INTERVAL_SECONDS=${args.interval}; continuous archivers with FLUX_ARCHIVER_OBJECT_SCOPE=shard (baseline) and =stream at the same time, on identical streams`,
  );
  const streams = Object.fromEntries(scopes.map((scope) => [scope, `bench-${process.pid}-wide-${scope}`])) as Record<(typeof scopes)[number], string>;
  for (const scope of scopes) await createStream(kinesis, streams[scope], args.wideShards);
  // One ExplicitHashKey per shard (its first hash): exactly `--rate` records/s land on each shard.
  const hashKeys = ((await kinesis.send(new ListShardsCommand({ StreamName: streams.shard }))).Shards ?? []).map((s) => s.HashKeyRange!.StartingHashKey!);

  const db = new Client({ connectionString: bench.databaseUrl });
  await db.connect();
  const archivers = scopes.map((scope) => ({
    scope,
    stream: streams[scope],
    produced: new Produced(),
    child: runArchiver(
      {
        ...bench.env,
        FLUX_ARCHIVER_OBJECT_SCOPE: scope,
        FLUX_BUFFER_INTERVAL_SECONDS: String(args.interval),
        FLUX_ARCHIVER_WORKER_ID: `bench-wide-${scope}`,
        FLUX_ARCHIVER_TEMP_DIR: join(bench.dataDir, `tmp-wide-${scope}`),
      },
      streams[scope],
      false,
    ),
  }));
  // a child that fails early must not leave the benchmark waiting for its leases or checkpoints
  const pause = async (ms: number) => {
    await sleep(ms);
    for (const a of archivers) {
      if (!a.child.exitedEarly()) continue;
      await a.child.done;
      throw new Error(`fluxcap archive (${a.scope} scope) exited before it was stopped`);
    }
  };
  try {
    // Produce only once both archivers hold every lease, so that the data is read live, as a real stream's is.
    const leasing = Date.now();
    for (;;) {
      const progress = await Promise.all(archivers.map((a) => leaseProgress(db, a.stream, a.produced.lastSequence)));
      if (progress.some((p) => p === null)) {
        await pause(10_000); // start-up of a child takes a few seconds
        break;
      }
      if (progress.every((p) => p!.held === args.wideShards)) break;
      if (Date.now() - leasing > 120_000) throw new Error(`archivers hold ${progress.map((p) => p!.held).join(' and ')} of ${args.wideShards} leases after 120 s`);
      await pause(250);
    }

    const started = Date.now();
    let sent = 0;
    const total = perSecond * args.seconds;
    while (sent < total) {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * perSecond));
      if (due > sent) {
        const batch = Array.from({ length: Math.min(500, due - sent) }, (_, j) => {
          const i = sent + j;
          return { PartitionKey: `k-${i}`, ExplicitHashKey: hashKeys[i % hashKeys.length], Data: jsonRecord(i, args.recordSize) };
        });
        sent += batch.length;
        await Promise.all(archivers.map((a) => a.produced.put(kinesis, a.stream, batch)));
      } else await pause(50);
    }
    const producedMs = Date.now() - started;
    const produced = archivers[0].produced;
    log(`produced   ${int(produced.records)} records per stream, ${mib(produced.bytes)}, in ${(producedMs / 1000).toFixed(1)} s`);

    // Caught up = every shard's checkpoint at its last produced record; the interval hint bounds the wait.
    const waitFrom = Date.now();
    const caughtUpMs: Record<string, number> = {};
    const deadline = waitFrom + args.interval * 3000 + 60_000;
    while (Object.keys(caughtUpMs).length < archivers.length && Date.now() < deadline) {
      for (const a of archivers) {
        if (a.scope in caughtUpMs) continue;
        const p = await leaseProgress(db, a.stream, a.produced.lastSequence);
        // without checkpoints to read: one flush interval and a margin, then the stop flushes the rest
        if (p === null ? Date.now() - waitFrom >= args.interval * 1000 + 5000 : p.caughtUp === args.wideShards) {
          caughtUpMs[a.scope] = Date.now() - waitFrom;
          a.child.stop();
        }
      }
      await pause(250);
    }
    for (const a of archivers) if (!(a.scope in caughtUpMs)) a.child.stop(); // its stop flushes; the check below tells
    const runs = await Promise.all(archivers.map((a) => a.child.done));

    const hoursOfData = producedMs / 3_600_000;
    const checks = await Promise.all(archivers.map((a) => checkArchive(bench.store, a.stream, a.produced.records, bench.dataDir)));
    log('scope   objects  objects/hour of data  shards/object  peak RSS     CPU (whole run)  caught up after');
    archivers.forEach((a, i) => {
      const c = checks[i];
      log(
        `${a.scope.padEnd(6)}  ${int(c.objects).padStart(7)}  ${int(c.objects / hoursOfData).padStart(20)}  ${c.shardsPerObject.toFixed(1).padStart(13)}  ` +
          `${mib(runs[i].peakRss).padStart(11)}  ${`${(runs[i].cpuMs / 1000).toFixed(1)} s`.padStart(15)}  ` +
          `${a.scope in caughtUpMs ? `${(caughtUpMs[a.scope] / 1000).toFixed(1)} s` : 'not (stopped at the deadline)'}`,
      );
    });
    const ratio = checks[0].objects / Math.max(1, checks[1].objects);
    log(`objects shard/stream: ${ratio.toFixed(1)}x (goal >= 10x: ${goal(ratio >= 10)})`);
    archivers.forEach((a, i) => log(exactlyOnceLine(` (${a.scope})`, checks[i], a.produced.records)));
    for (const a of archivers) await deleteStream(kinesis, a.stream);
    return checks.every((c) => c.exactlyOnce);
  } finally {
    for (const a of archivers) a.child.stop();
    await Promise.allSettled(archivers.map((a) => a.child.done));
    await db.end();
  }
}

function describeMachine(): string {
  let commit = 'unknown commit';
  try {
    commit = `commit ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()}`;
  } catch {
    /* not a git checkout */
  }
  return `${commit}, Node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()[0].toFixed(1)}`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // The catalog code this runs (the deep scenario's schema) logs through Nest: only its warnings and errors here.
  Logger.overrideLogger(['warn', 'error']);
  const runStarted = Date.now();
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-bench-archiver-'));
  const settings = [args.bufferMib && `FLUX_BUFFER_SIZE_MIB=${args.bufferMib}`, args.memoryMib && `FLUX_ARCHIVER_MEMORY_MIB=${args.memoryMib}`].filter(Boolean);
  log(`archiver benchmark: scenario ${args.scenario}, ${settings.length ? settings.join(' ') : 'default buffering settings'} (${describeMachine()})`);
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadDatabaseUrl();
  } catch {
    databaseUrl = undefined; // embedded PostgreSQL
  }
  const stack = await startLocalStack({ dataDir, databaseUrl, database: `flux_bench_${process.pid}`, buckets: ['flux-bench'] });
  let ok = true;
  profPeers = [stack.pids!.kinesis, stack.pids!.s3];
  try {
    const env: Record<string, string> = {
      ...stack.env,
      FLUX_ARCHIVE_URI: 's3://flux-bench/archive',
      FLUX_SQS_QUEUE_PREFIX: `bench${process.pid}-`,
      LOG_LEVEL: 'warn',
      ...(args.bufferMib ? { FLUX_BUFFER_SIZE_MIB: String(args.bufferMib) } : {}),
      ...(args.memoryMib ? { FLUX_ARCHIVER_MEMORY_MIB: String(args.memoryMib) } : {}),
    };
    // The settings under test are the defaults unless named on the command line: the children inherit this
    // process's environment, so a value left in the caller's shell must not change them.
    for (const key of [
      'FLUX_BUFFER_SIZE_MIB',
      'FLUX_ARCHIVER_MEMORY_MIB',
      'FLUX_BUFFER_INTERVAL_SECONDS',
      'FLUX_ARCHIVER_OBJECT_SCOPE',
      'FLUX_ARCHIVER_FIELD_COLUMNS',
      'FLUX_ARCHIVER_INITIAL_POSITION',
      'FLUX_ARCHIVER_INITIAL_TIMESTAMP',
    ]) {
      if (!(key in env)) delete process.env[key];
    }
    const config = loadConfig(env);
    await migrate(config.database.url);
    const bench: Bench = {
      args,
      env,
      kinesis: createKinesisClient(config.aws),
      store: createArchiveStore(config.archive, createS3Client(config.aws)),
      storeAt: (uri) => createArchiveStore(loadConfig({ ...env, FLUX_ARCHIVE_URI: uri }).archive, createS3Client(config.aws)),
      databaseUrl: config.database.url,
      dataDir,
      defaults: settings.length === 0,
      kinesisEmulator: stack.endpoints.kinesisEmulator,
      endpointCpuMs: () => ({ kinesis: procCpuMs(stack.pids!.kinesis, 'own'), s3: procCpuMs(stack.pids!.s3, 'own') }),
    };
    try {
      if (args.scenario !== 'wide') ok = (await deep(bench)) && ok;
      if (args.scenario !== 'deep') ok = (await wide(bench)) && ok;
    } finally {
      bench.kinesis.destroy();
    }
  } finally {
    await stack.stop();
    if (!args.keep) rmSync(dataDir, { recursive: true, force: true });
  }
  log(`run time: ${((Date.now() - runStarted) / 1000).toFixed(0)} s`);
  if (!ok) throw new Error('an exactly-once check failed (see above)');
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:archiver failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
