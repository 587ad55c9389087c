/**
 * `npm run bench:archiver [-- --records 1000000 --record-size 1024 --shards 4 --buffer-mib 64]`
 *
 * Starts the local stack (kinesalite, s3rver, SQS emulator; Postgres from DATABASE_URL or embedded), produces N
 * JSON records of about `--record-size` bytes into a stream of `--shards` shards, then in the same run measures:
 *   (a) the raw drain rate of a plain GetRecords loop over every shard (no processing: the ceiling of this endpoint);
 *   (b) the archiver's end-to-end rate to durable, announced, checkpointed Parquet objects: `fluxcap archive --once`
 *       as a child process, timed by its own summary (durationMs), its peak RSS read from /proc/<pid>/status (VmHWM).
 * Prints both rates, their ratio (target >= 0.8), the archiver's peak RSS, archive bytes vs raw bytes, objects.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createArchiveStore } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { loadConfig, loadDatabaseUrl } from '@flux-capacitor/config';
import { startLocalStack, waitForStreamActive } from '@flux-capacitor/local-stack';
import { migrate } from '@flux-capacitor/persistence';

interface Args {
  records: number;
  recordSize: number;
  shards: number;
  /** FLUX_BUFFER_SIZE_MIB of the archiver under test. */
  bufferMib: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { records: 1_000_000, recordSize: 1024, shards: 4, bufferMib: 64, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = Number(argv[i + 1]);
    if (flag === '--keep') args.keep = true;
    else if (flag === '--records') args.records = value;
    else if (flag === '--record-size') args.recordSize = value;
    else if (flag === '--shards') args.shards = value;
    else if (flag === '--buffer-mib') args.bufferMib = value;
    else continue;
    if (flag !== '--keep') {
      if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a whole number >= 1`);
      i++;
    }
  }
  return args;
}

const ROOT = resolve(__dirname, '../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} records/s`;

function jsonRecord(i: number, size: number): Buffer {
  const base = { id: i, type: ['order', 'click', 'view', 'refund'][i % 4], customer: `c-${i % 9973}`, amount: (i % 10000) / 100, at: new Date().toISOString() };
  const text = JSON.stringify(base);
  // Hex of random bytes: realistic entropy (compresses about 2:1), unlike a run of one letter.
  const pad = Math.max(0, size - text.length - 10);
  return Buffer.from(JSON.stringify({ ...base, note: randomBytes(Math.ceil(pad / 2)).toString('hex').slice(0, pad) }));
}

async function produce(kinesis: KinesisClient, stream: string, args: Args): Promise<{ bytes: number; ms: number }> {
  const started = Date.now();
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < args.records) {
      const from = next;
      const to = Math.min(args.records, from + 500);
      next = to;
      let entries = Array.from({ length: to - from }, (_, j) => ({ PartitionKey: `k-${from + j}`, Data: jsonRecord(from + j, args.recordSize) }));
      for (const e of entries) bytes += e.Data.length;
      while (entries.length > 0) {
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries }));
        entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { bytes, ms: Date.now() - started };
}

/** (a): drain every shard with GetRecords(10,000) as fast as the endpoint answers. */
async function rawDrain(kinesis: KinesisClient, stream: string): Promise<{ records: number; ms: number }> {
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
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
  return { records: counts.reduce((a, b) => a + b, 0), ms: Date.now() - started };
}

/** (b): `fluxcap archive --once --json` as a child; its summary and its peak RSS. */
function archiveOnce(env: Record<string, string>, stream: string): Promise<{ summary: { records: number; objects: number; bytes: number; durationMs: number }; wallMs: number; peakRss: number }> {
  return new Promise((resolvePromise, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/flux-prof'] : []), FLUXCAP, 'archive', '--stream', stream, '--once', '--json'], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    let peakRss = 0;
    const poll = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakRss = Math.max(peakRss, Number(m[1]) * 1024);
      } catch {
        /* exited */
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(poll);
      if (code !== 0) return reject(new Error(`fluxcap archive exited ${code}: ${stderr.slice(-2000)}`));
      resolvePromise({ summary: JSON.parse(stdout), wallMs: Date.now() - started, peakRss });
    });
  });
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-bench-archiver-'));
  const log = (s: string) => process.stdout.write(`${s}\n`);
  log(`archiver benchmark: ${args.records.toLocaleString('en-US')} records of ~${args.recordSize} B over ${args.shards} shards, ${args.bufferMib} MiB buffers`);
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadDatabaseUrl();
  } catch {
    databaseUrl = undefined; // embedded PostgreSQL
  }
  const stack = await startLocalStack({ dataDir, databaseUrl, database: `flux_bench_${process.pid}`, buckets: ['flux-bench'] });
  try {
    const env = {
      ...stack.env,
      FLUX_ARCHIVE_URI: 's3://flux-bench/archive',
      FLUX_SQS_QUEUE_PREFIX: `bench${process.pid}-`,
      FLUX_ARCHIVER_WORKER_ID: 'bench',
      FLUX_ARCHIVER_TEMP_DIR: join(dataDir, 'tmp'),
      FLUX_BUFFER_SIZE_MIB: String(args.bufferMib),
      LOG_LEVEL: 'warn',
    };
    const config = loadConfig(env);
    await migrate(config.database.url);
    const kinesis = createKinesisClient(config.aws);
    const stream = `bench-${process.pid}`;
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: args.shards }));
    await waitForStreamActive(kinesis, stream);

    const produced = await produce(kinesis, stream, args);
    log(`produced   ${args.records.toLocaleString('en-US')} records, ${mb(produced.bytes)} in ${(produced.ms / 1000).toFixed(1)} s`);

    const raw = await rawDrain(kinesis, stream);
    if (raw.records !== args.records) throw new Error(`plain loop read ${raw.records} records, expected ${args.records}`);
    log(`(a) plain GetRecords loop: ${rate(raw.records, raw.ms)} (${(raw.ms / 1000).toFixed(1)} s)`);

    const run = await archiveOnce(env, stream);
    if (run.summary.records !== args.records) throw new Error(`archiver archived ${run.summary.records} records, expected ${args.records}`);
    log(
      `(b) archiver to durable objects: ${rate(run.summary.records, run.summary.durationMs)} (${(run.summary.durationMs / 1000).toFixed(1)} s; ` +
        `${(run.wallMs / 1000).toFixed(1)} s with process start-up)`,
    );
    let archiveBytes = 0;
    let objects = 0;
    for await (const o of createArchiveStore(config.archive, createS3Client(config.aws)).list(`${stream}/`)) {
      archiveBytes += o.size;
      objects++;
    }
    const ratio = raw.ms / run.summary.durationMs;
    log(`ratio (b)/(a): ${ratio.toFixed(2)} (target >= 0.8)`);
    log(`archiver peak RSS: ${mb(run.peakRss)}`);
    log(`archive ${mb(archiveBytes)} vs raw ${mb(produced.bytes)} (${((archiveBytes / produced.bytes) * 100).toFixed(1)} %), ${objects} objects`);
    kinesis.destroy();
  } finally {
    await stack.stop();
    if (!args.keep) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:archiver failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
