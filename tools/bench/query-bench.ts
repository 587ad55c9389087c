/**
 * `npm run bench:query [-- --records 10000000 --runs 5 --shards 4 --hours 24 --threads 2]`
 *
 * Builds an archive of N records straight into Parquet objects (no Kinesis, to keep set-up short), once in the
 * current layout 2 and once in the old layout 1, registers the layout-2 objects in a fresh catalog database, starts
 * the query gateway as a child process, and compares, each against a baseline measured in the same run: a full scan
 * with a group-by on a JSON field through the gateway (HTTP POST /v1/query) against DuckDB directly on the same files
 * (target <= 1.25) and against the unguarded `decode(data)->>` scan of the old layout (the cost of `payload` being
 * NULL for non-JSON records, target <= 1.1), the old layout's own guarded scan, a time-range query that must prune
 * partitions, a point lookup by partition key, and the scan over gzipped NDJSON of the same records. Issue 13: the
 * same records once more with field columns (stream `orders_fields`), and the same SQL through the gateway over both:
 * the JSON group-by (target <= 0.1, i.e. 10x faster; and <= 0.2 against DuckDB on raw JSON unguarded), a lookup by a
 * JSON field and one by partition key (<= 0.2 each), the last also over a copy (`orders_compacted`) the catalog's
 * compaction of closed hours rewrote sorted by partition key (HourCompactor, as the catalog service runs it; its time
 * is printed against the time the same objects took to write). The gateway keeps each finished query's DuckDB
 * instance idle for the next query over the same objects, so after the warm-up these are repeat queries; a second
 * gateway with FLUX_QUERY_IDLE_INSTANCES=0 gives the group-by and the compacted lookup cold, as a first query over
 * new objects runs.
 * Prints ratios only, the archive size of layout 2 against layout 1
 * (target <= 1.05) and with field columns against without (<= 1.15), and the gateway's peak RSS. Starts its own
 * local stack (the gateway consumes SQS): Postgres from DATABASE_URL, or an embedded one.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ARCHIVE_RECORD_SQL } from '@flux-capacitor/contracts';
import type { RunningService } from '@flux-capacitor/local-stack';
import { FileArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader, CatalogWriter, HourCompactor, type CompactionReport } from '@flux-capacitor/archive-catalog';
import { createDataSource } from '@flux-capacitor/persistence';
import { registerArchiveObjects, writeSyntheticArchive } from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import { mb, parseBenchArgs, peakRssBytes, startBenchGateway, startBenchStack } from './bench-gateway';

const TOKEN = 'bench-token-0123456789abcdef';
/** The synthetic records' scalar fields, stored as field columns in the `orders_fields` copy of the archive. */
const FIELD_PATHS = [['orderId'], ['shard'], ['type'], ['customer'], ['amount']];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const min = (xs: number[]) => Math.min(...xs);

/** CPU time (user + system, ms) a process has used so far: robust to other load on the machine, unlike wall time. */
function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux)
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function direct(sql: string, threads: number): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const c = await instance.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    const reader = await c.runAndReadAll(sql);
    return reader.currentRowCount;
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

async function viaGateway(base: string, sql: string): Promise<number> {
  const res = await fetch(`${base}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ sql }),
  });
  const body = (await res.json()) as { rowCount?: number; detail?: string };
  if (res.status !== 200) throw new Error(`gateway HTTP ${res.status}: ${body.detail}`);
  return body.rowCount!;
}

/** One side of a comparison: a statement and where it runs. */
interface Runner {
  sql: string;
  run: () => Promise<number>;
  /** CPU time so far of the process that does the work */
  cpuMs: () => number;
}

interface Case {
  name: string;
  measured: Runner;
  baseline: Runner;
  /** the highest acceptable wall ratio, when the issue sets one */
  target?: number;
}

interface Sample {
  wall: number[];
  cpu: number[];
  rows: number;
}

/** One warm-up each, then `runs` rounds of one measured and one baseline run (alternating, so load drift hits both). */
async function compare(c: Case, runs: number): Promise<{ measured: Sample; baseline: Sample }> {
  const sides = [c.measured, c.baseline].map((runner) => ({ runner, sample: { wall: [], cpu: [], rows: 0 } as Sample }));
  for (const side of sides) side.sample.rows = await side.runner.run();
  for (let i = 0; i < runs; i++) {
    for (const { runner, sample } of sides) {
      const cpu0 = runner.cpuMs();
      sample.wall.push(await timed(async () => (sample.rows = await runner.run())));
      sample.cpu.push(runner.cpuMs() - cpu0);
    }
  }
  return { measured: sides[0].sample, baseline: sides[1].sample };
}

/** One compaction pass over a stream's closed hours (all of them: the records are from 2026-01-01), timed. */
async function compactClosedHours(dbUrl: string, archiveDir: string, root: string, stream: string, threads: number): Promise<{ report: CompactionReport; ms: number; peakRss: number; rssBefore: number }> {
  const ds = await createDataSource(dbUrl).initialize();
  try {
    const tempDir = join(root, 'compaction');
    mkdirSync(tempDir, { recursive: true });
    const compactor = new HourCompactor({
      reader: new CatalogReader(ds),
      writer: new CatalogWriter(ds),
      store: new FileArchiveStore({ kind: 'file', uri: `file://${archiveDir}`, directory: archiveDir }),
      threads,
      // the service's defaults
      config: { settleMs: 60 * 60_000, graceMs: 24 * 60 * 60_000, maxInputBytes: 512 * 1024 * 1024, memoryBytes: 256 * 1024 * 1024, tempDir },
    });
    // resident memory while it runs (this process's peak over its life includes building the archives)
    const rssBefore = process.memoryUsage.rss();
    let peakRss = rssBefore;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
    const started = performance.now();
    try {
      const report = await compactor.compactStream(stream);
      return { report, ms: performance.now() - started, peakRss, rssBefore };
    } finally {
      clearInterval(sampler);
    }
  } finally {
    await ds.destroy();
  }
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const args = parseBenchArgs({ records: 10_000_000, runs: 5, shards: 4, hours: 24, threads: 2, keep: false }, process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'flux-bench-'));
  const stack = await startBenchStack(root);
  const archiveDir = join(root, 'archive');
  // the same records in the old layout: the size baseline and the unguarded scan's files
  const oldArchiveDir = join(root, 'archive-layout-1');
  const ndjsonDir = join(root, 'ndjson');
  mkdirSync(ndjsonDir, { recursive: true });
  let gateway: RunningService | undefined;
  let coldGateway: RunningService | undefined;
  try {
    const perShardHour = Math.ceil(args.records / (args.shards * args.hours));
    const startMs = Date.UTC(2026, 0, 1);
    console.log(
      `building ${perShardHour * args.shards * args.hours} records: ${args.shards} shards x ${args.hours} hours, in layout 2 (one object per stream-hour, as the archiver writes by default) and in the old layout 1 (one per shard-hour)`,
    );
    const synthetic = { stream: 'orders', shards: args.shards, recordsPerShardHour: perShardHour, hours: args.hours, startMs };
    // layout 2 as the archiver writes it by default: one object per stream and hour holding every shard
    const objects = await writeSyntheticArchive({ ...synthetic, directory: archiveDir, layout: 2, objectScope: 'stream' });
    const oldObjects = await writeSyntheticArchive({ ...synthetic, directory: oldArchiveDir, layout: 1 });
    // Issue 13: the same records with field columns, as the stream `orders_fields` in the same archive, so the
    // gateway can read both tables in one run.
    console.log(`and once more in layout 2 with field columns for ${FIELD_PATHS.map((p) => p.join('.')).join(', ')}`);
    const fieldObjects = await writeSyntheticArchive({ ...synthetic, stream: 'orders_fields', directory: archiveDir, layout: 2, objectScope: 'stream', fields: FIELD_PATHS });
    // and once more as the archiver writes them by default (append order), for the catalog's compaction to rewrite
    const writeStarted = performance.now();
    const toCompact = await writeSyntheticArchive({ ...synthetic, stream: 'orders_compacted', directory: archiveDir, layout: 2, objectScope: 'stream', fields: FIELD_PATHS });
    const writeMs = performance.now() - writeStarted;
    const parquetBytes = objects.reduce((s, o) => s + o.bytes, 0);
    const oldParquetBytes = oldObjects.reduce((s, o) => s + o.bytes, 0);
    const fieldParquetBytes = fieldObjects.reduce((s, o) => s + o.bytes, 0);
    console.log(`  ${objects.length} objects in layout 2, ${oldObjects.length} in layout 1`);

    await registerArchiveObjects(stack.dbUrl, [...objects, ...fieldObjects, ...toCompact]);
    console.log('compacting orders_compacted: every hour rewritten sorted by partition key, as the catalog service does once an hour has closed');
    const compaction = await compactClosedHours(stack.dbUrl, archiveDir, root, 'orders_compacted', args.threads);
    if (compaction.report.records !== toCompact.reduce((n, o) => n + o.recordCount, 0)) throw new Error(`compaction rewrote ${compaction.report.records} records`);

    console.log('writing the same records as gzipped NDJSON (one file per object)');
    const conv = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
    const cc = await conv.connect();
    for (const [i, o] of oldObjects.entries()) {
      await cc.run(
        `COPY (SELECT shard_id, sequence_number, sub_sequence_number, partition_key, arrival_time, decode(data)::JSON AS payload FROM read_parquet('${o.path}')) TO '${join(ndjsonDir, `${i}.ndjson.gz`)}' (FORMAT json, COMPRESSION gzip)`,
      );
    }
    cc.closeSync();
    conv.closeSync();
    const ndjsonBytes = readdirSync(ndjsonDir).reduce((s, f) => s + statSync(join(ndjsonDir, f)).size, 0);

    const gatewayEnv = {
      FLUX_API_TOKENS: `${TOKEN}:query`,
      FLUX_QUERY_THREADS: String(args.threads),
      FLUX_QUERY_MEMORY_LIMIT: '2GB',
      FLUX_QUERY_SYNC_MAX_ROWS: '100000',
      FLUX_QUERY_TIMEOUT_MS: '600000',
    };
    gateway = await startBenchGateway(stack, { root, archiveDir, env: gatewayEnv });
    const gw = gateway;
    // The same gateway keeping no idle instance (FLUX_QUERY_IDLE_INSTANCES=0): every query starts cold, as the first
    // query over a new set of objects does (one more object archived, another time range).
    coldGateway = await startBenchGateway(stack, {
      root,
      archiveDir,
      env: { ...gatewayEnv, FLUX_QUERY_IDLE_INSTANCES: '0', FLUX_QUERY_WORK_DIR: join(root, 'work-cold') },
    });
    const cold = coldGateway;
    const files = `read_parquet('${archiveDir}/orders/*/*/*.parquet')`;
    const oldFiles = `read_parquet('${oldArchiveDir}/orders/*/*/*.parquet')`;
    // The ceiling computes what the gateway computes over the same layout-2 files: payload is data_json (the records
    // the archiver found to be UTF-8 JSON), NULL for the others.
    const payload = ARCHIVE_RECORD_SQL[2].payload;
    const from = new Date(startMs + 10 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const to = new Date(startMs + 12 * 3_600_000 - 1000).toISOString().slice(0, 19).replace('T', ' ');
    const groupBy = (p: string, source: string) =>
      `SELECT ${p}->>'type' AS type, count(*) AS n, sum((${p}->>'amount')::INT) AS amount FROM ${source} GROUP BY 1 ORDER BY 1`;
    const fieldLookup = (table: string) =>
      `SELECT shard_id, sequence_number, payload->>'customer' AS customer FROM ${table} WHERE payload->>'orderId' = '${Math.floor(perShardHour * args.hours * 0.6)}' ORDER BY shard_id`;
    const keyLookup = (table: string) => `SELECT shard_id, sequence_number, payload FROM ${table} WHERE partition_key = 'pk-4242' ORDER BY shard_id, sequence_number`;
    const viaGw = (sql: string): Runner => ({ sql, run: () => viaGateway(gw.url, sql), cpuMs: () => cpuMsOf(gw.child.pid!) });
    const viaCold = (sql: string): Runner => ({ sql, run: () => viaGateway(cold.url, sql), cpuMs: () => cpuMsOf(cold.child.pid!) });
    const directly = (sql: string): Runner => ({ sql, run: () => direct(sql, args.threads), cpuMs: selfCpuMs });
    const cases: Case[] = [
      {
        name: 'scan: group-by on a JSON field, gateway vs DuckDB directly',
        measured: viaGw(groupBy('payload', 'orders')),
        baseline: directly(groupBy(payload, files)),
        target: 1.25,
      },
      {
        name: 'JSON guard: the gateway scan vs unguarded decode(data)->> on layout 1',
        measured: viaGw(groupBy('payload', 'orders')),
        baseline: directly(groupBy('decode(data)', oldFiles)),
        target: 1.1,
      },
      {
        name: 'old layout 1: guarded vs unguarded scan, direct',
        measured: directly(groupBy(ARCHIVE_RECORD_SQL[1].payload, oldFiles)),
        baseline: directly(groupBy('decode(data)', oldFiles)),
      },
      {
        name: 'time range: 2 of 24 hours (prunes partitions)',
        measured: viaGw(`SELECT payload->>'customer' AS customer, count(*) AS n FROM orders WHERE arrival_time BETWEEN '${from}' AND '${to}' GROUP BY 1 ORDER BY 2 DESC LIMIT 10`),
        baseline: directly(`SELECT ${payload}->>'customer' AS customer, count(*) AS n FROM ${files} WHERE arrival_time BETWEEN '${from}' AND '${to}' GROUP BY 1 ORDER BY 2 DESC LIMIT 10`),
      },
      {
        name: 'point lookup by partition key',
        measured: viaGw(`SELECT shard_id, sequence_number, arrival_time, payload FROM orders WHERE partition_key = 'pk-4242' ORDER BY sequence_number`),
        baseline: directly(`SELECT shard_id, sequence_number, arrival_time, ${payload} AS payload FROM ${files} WHERE partition_key = 'pk-4242' ORDER BY sequence_number`),
      },
      // Issue 13: the same statements over the same records with field columns (orders_fields) and without (orders),
      // both through the gateway; users write the same payload->>'path' SQL for both.
      {
        name: 'field columns: JSON group-by, with vs without (gateway both)',
        measured: viaGw(groupBy('payload', 'orders_fields')),
        baseline: viaGw(groupBy('payload', 'orders')),
        target: 0.1,
      },
      {
        name: 'field columns: the same, every query cold (FLUX_QUERY_IDLE_INSTANCES=0)',
        measured: viaCold(groupBy('payload', 'orders_fields')),
        baseline: viaCold(groupBy('payload', 'orders')),
        target: 0.1,
      },
      {
        name: 'field columns: JSON group-by vs DuckDB on raw JSON unguarded (layout 1, direct)',
        measured: viaGw(groupBy('payload', 'orders_fields')),
        baseline: directly(groupBy('decode(data)', oldFiles)),
        target: 0.2,
      },
      {
        // what the gateway adds around the same column scan (HTTP, analysis, rewrite, planning, the view)
        name: 'field columns: JSON group-by, gateway vs DuckDB directly on the columns',
        measured: viaGw(groupBy('payload', 'orders_fields')),
        baseline: directly(
          `SELECT payload__type AS type, count(*) AS n, sum(payload__amount::INT) AS amount FROM read_parquet('${archiveDir}/orders_fields/*/*/*.parquet') GROUP BY 1 ORDER BY 1`,
        ),
      },
      {
        name: 'field columns: lookup by a JSON field, with vs without (gateway both)',
        measured: viaGw(fieldLookup('orders_fields')),
        baseline: viaGw(fieldLookup('orders')),
        target: 0.2,
      },
      {
        name: 'field columns: lookup by partition key, with vs without (gateway both)',
        measured: viaGw(keyLookup('orders_fields')),
        baseline: viaGw(keyLookup('orders')),
        target: 0.2,
      },
      {
        name: 'field columns, compacted hours: lookup by partition key, vs today (gateway both)',
        measured: viaGw(keyLookup('orders_compacted')),
        baseline: viaGw(keyLookup('orders')),
        target: 0.2,
      },
      {
        name: 'the same, every query cold (FLUX_QUERY_IDLE_INSTANCES=0)',
        measured: viaCold(keyLookup('orders_compacted')),
        baseline: viaCold(keyLookup('orders')),
        target: 0.2,
      },
      {
        name: 'scan over gzipped NDJSON vs the Parquet scan, direct',
        measured: directly(groupBy('payload', `read_json('${ndjsonDir}/*.ndjson.gz', format = 'newline_delimited')`)),
        baseline: directly(groupBy(payload, files)),
      },
    ];
    console.log(`\n${args.runs} runs after one warm-up, measured and baseline alternating, ${args.threads} DuckDB threads everywhere; ratio = measured / baseline,`);
    console.log('wall of the fastest runs (of the medians in brackets), cpu = CPU time of the process doing the work (the gateway, or this one for DuckDB directly)');
    const rows: string[][] = [['query', 'rows', 'wall ratio', 'cpu ratio', 'target']];
    for (const c of cases) {
      const { measured: m, baseline: b } = await compare(c, args.runs);
      if (m.rows !== b.rows) throw new Error(`${c.name}: ${m.rows} rows measured, ${b.rows} in the baseline`);
      const ratio = min(m.wall) / min(b.wall);
      rows.push([
        c.name,
        String(m.rows),
        `${ratio.toFixed(2)} (${(median(m.wall) / median(b.wall)).toFixed(2)})`,
        (min(m.cpu) / min(b.cpu)).toFixed(2),
        c.target === undefined ? '-' : `<= ${c.target}${c.target < 1 ? ` (${(1 / c.target).toFixed(0)}x faster)` : ''} ${ratio <= c.target ? 'ok' : 'MISSED'}`,
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((v, i) => v.padEnd(widths[i])).join('  '));
    const sizeRatio = parquetBytes / oldParquetBytes;
    // Not like for like since issue 13: layout 2 is written as the archiver writes it (zstd level 1, ~4 MiB row groups,
    // one object per stream-hour), layout 1 as before (zstd level 3, DuckDB's default row groups, one per shard-hour).
    console.log(`\narchive size, layout 2 as the archiver writes it vs layout 1: ${sizeRatio.toFixed(3)}`);
    const fieldSizeRatio = fieldParquetBytes / parquetBytes;
    const compactedSizeRatio = compaction.report.bytesAfter / parquetBytes;
    console.log(`archive size, layout 2 with field columns vs without: ${fieldSizeRatio.toFixed(3)} (target <= 1.15 ${fieldSizeRatio <= 1.15 ? 'ok' : 'MISSED'})`);
    console.log(`archive size, with field columns and compacted vs today: ${compactedSizeRatio.toFixed(3)}`);
    console.log(
      `compaction: ${compaction.report.replaced} objects into ${compaction.report.written} in ${(compaction.ms / 1000).toFixed(1)} s, ${(compaction.ms / writeMs).toFixed(2)}x the time writing them took; RSS while compacting ${mb(compaction.peakRss)} at most (${mb(compaction.rssBefore)} before it)`,
    );
    console.log(`NDJSON.gz size vs layout 2: ${(ndjsonBytes / parquetBytes).toFixed(2)}`);
    console.log(`gateway peak RSS: ${mb(peakRssBytes(gw.child))}`);
  } finally {
    await gateway?.stop(10_000);
    await coldGateway?.stop(10_000);
    await stack.stop();
    if (!args.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
