/**
 * `npm run bench:query [-- --records 10000000 --runs 3]`
 *
 * Builds an archive of N records straight into Parquet objects in the archive layout (no Kinesis, to keep set-up
 * short), registers them in a fresh catalog database, starts the query gateway as a child process, and times
 * three queries end to end through it (HTTP POST /v1/query) against the same SQL run by DuckDB directly on the same
 * files (the ceiling): a full scan with a group-by on a JSON field, a time-range query that must prune partitions,
 * and a point lookup by partition key. Prints each ratio (target <= 1.25 for scans), the gateway's peak RSS, and
 * the same scan over gzipped NDJSON of the same records.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadDatabaseUrl } from '@flux-capacitor/config';
import { freePort, startLocalStack, startService, type RunningService } from '@flux-capacitor/local-stack';
import { migrate } from '@flux-capacitor/persistence';
import { registerArchiveObjects, writeSyntheticArchive, type SyntheticObject } from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

interface Args {
  records: number;
  runs: number;
  shards: number;
  hours: number;
  threads: number;
  keep: boolean;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { records: 10_000_000, runs: 5, shards: 4, hours: 24, threads: 2, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--keep') args.keep = true;
    else if (flag.startsWith('--') && flag.slice(2) in args) {
      (args as unknown as Record<string, number>)[flag.slice(2)] = Number(value);
      i++;
    }
  }
  return args;
}

const TOKEN = 'bench-token-0123456789abcdef';
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
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

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

function peakRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const args = parseArgs(process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'flux-bench-'));
  // Its own local stack, like the other benchmarks (the gateway consumes SQS): Postgres from DATABASE_URL, or an
  // embedded one, so the bare command runs on a fresh clone.
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadDatabaseUrl();
  } catch {
    databaseUrl = undefined;
  }
  const stack = await startLocalStack({ dataDir: root, databaseUrl, database: `flux_bench_admin_${process.pid}` });
  const adminUrl = stack.endpoints.adminDatabaseUrl;
  const archiveDir = join(root, 'archive');
  const ndjsonDir = join(root, 'ndjson');
  mkdirSync(ndjsonDir, { recursive: true });
  const dbName = `flux_bench_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  let gateway: RunningService | undefined;
  try {
    const perShardHour = Math.ceil(args.records / (args.shards * args.hours));
    const startMs = Date.UTC(2026, 0, 1);
    console.log(`building ${perShardHour * args.shards * args.hours} records: ${args.shards} shards x ${args.hours} hours, one Parquet object per shard-hour`);
    let objects: SyntheticObject[] = [];
    const buildMs = await timed(async () => {
      objects = await writeSyntheticArchive({ directory: archiveDir, stream: 'orders', shards: args.shards, recordsPerShardHour: perShardHour, hours: args.hours, startMs });
    });
    const parquetBytes = objects.reduce((s, o) => s + o.bytes, 0);
    console.log(`  ${objects.length} objects, ${mb(parquetBytes)} of Parquet, in ${(buildMs / 1000).toFixed(1)} s`);

    await migrate(dbUrl);
    await registerArchiveObjects(dbUrl, objects);

    console.log('writing the same records as gzipped NDJSON (one file per object)');
    const conv = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
    const cc = await conv.connect();
    for (const [i, o] of objects.entries()) {
      await cc.run(
        `COPY (SELECT shard_id, sequence_number, sub_sequence_number, partition_key, arrival_time, decode(data)::JSON AS payload FROM read_parquet('${o.path}')) TO '${join(ndjsonDir, `${i}.ndjson.gz`)}' (FORMAT json, COMPRESSION gzip)`,
      );
    }
    cc.closeSync();
    conv.closeSync();
    const ndjsonBytes = readdirSync(ndjsonDir).reduce((s, f) => s + statSync(join(ndjsonDir, f)).size, 0);
    console.log(`  ${mb(ndjsonBytes)} of NDJSON.gz`);

    // local-stack's startService, as `fluxcap dev` and the e2e tests run a service: resolves once /health answers 200
    const gatewayLog: string[] = [];
    gateway = await startService('query-gateway', {
      port: await freePort(),
      onLine: (line) => void gatewayLog.push(line),
      env: {
        PATH: process.env.PATH ?? '',
        ...stack.env,
        DATABASE_URL: dbUrl,
        FLUX_ARCHIVE_URI: `file://${archiveDir}`,
        FLUX_SQS_QUEUE_PREFIX: `bench${process.pid}-`,
        FLUX_API_TOKENS: `${TOKEN}:query`,
        FLUX_QUERY_LIVE: 'false',
        FLUX_QUERY_THREADS: String(args.threads),
        FLUX_QUERY_MEMORY_LIMIT: '2GB',
        FLUX_QUERY_WORK_DIR: join(root, 'work'),
        FLUX_QUERY_SYNC_MAX_ROWS: '100000',
        FLUX_QUERY_TIMEOUT_MS: '600000',
        LOG_LEVEL: 'warn',
      },
    }).catch((err: Error) => {
      throw new Error(`${err.message}:\n${gatewayLog.join('\n')}`, { cause: err });
    });
    const base = gateway.url;
    const files = `read_parquet('${archiveDir}/orders/*/*/*.parquet')`;
    // The ceiling computes what the gateway computes: payload is the data parsed as JSON, NULL when it is not JSON.
    const payload = `TRY_CAST(TRY(decode(data)) AS JSON)`;
    const from = new Date(startMs + 10 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const to = new Date(startMs + 12 * 3_600_000 - 1000).toISOString().slice(0, 19).replace('T', ' ');
    const cases = [
      {
        name: 'scan: group-by on a JSON field',
        gateway: `SELECT payload->>'type' AS type, count(*) AS n, sum((payload->>'amount')::INT) AS amount FROM orders GROUP BY 1 ORDER BY 1`,
        direct: `SELECT ${payload}->>'type' AS type, count(*) AS n, sum((${payload}->>'amount')::INT) AS amount FROM ${files} GROUP BY 1 ORDER BY 1`,
        scan: true,
      },
      {
        name: 'same scan, direct without the NULL-if-not-JSON guard',
        gateway: `SELECT payload->>'type' AS type, count(*) AS n, sum((payload->>'amount')::INT) AS amount FROM orders GROUP BY 1 ORDER BY 1`,
        direct: `SELECT decode(data)->>'type' AS type, count(*) AS n, sum((decode(data)->>'amount')::INT) AS amount FROM ${files} GROUP BY 1 ORDER BY 1`,
        scan: false,
      },
      {
        name: 'time range: 2 of 24 hours (prunes partitions)',
        gateway: `SELECT payload->>'customer' AS customer, count(*) AS n FROM orders WHERE arrival_time BETWEEN '${from}' AND '${to}' GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
        direct: `SELECT ${payload}->>'customer' AS customer, count(*) AS n FROM ${files} WHERE arrival_time BETWEEN '${from}' AND '${to}' GROUP BY 1 ORDER BY 2 DESC LIMIT 10`,
        scan: false,
      },
      {
        name: 'point lookup by partition key',
        gateway: `SELECT shard_id, sequence_number, arrival_time, payload FROM orders WHERE partition_key = 'pk-4242' ORDER BY sequence_number`,
        direct: `SELECT shard_id, sequence_number, arrival_time, ${payload} AS payload FROM ${files} WHERE partition_key = 'pk-4242' ORDER BY sequence_number`,
        scan: false,
      },
    ];
    console.log(`\n${args.runs} runs after one warm-up, ${args.threads} DuckDB threads on both sides; wall = fastest run (median), cpu = CPU time of the process doing the work`);
    const rows: string[][] = [['query', 'rows', 'direct wall ms', 'gateway wall ms', 'wall ratio', 'direct cpu ms', 'gateway cpu ms', 'cpu ratio', 'target']];
    for (const c of cases) {
      let dRows = 0;
      let gRows = 0;
      await direct(c.direct, args.threads);
      await viaGateway(base, c.gateway);
      const d: number[] = [];
      const g: number[] = [];
      const dc: number[] = [];
      const gc: number[] = [];
      for (let i = 0; i < args.runs; i++) {
        let cpu = selfCpuMs();
        d.push(await timed(async () => (dRows = await direct(c.direct, args.threads))));
        dc.push(selfCpuMs() - cpu);
        cpu = cpuMsOf(gateway.child.pid!);
        g.push(await timed(async () => (gRows = await viaGateway(base, c.gateway))));
        gc.push(cpuMsOf(gateway.child.pid!) - cpu);
      }
      if (dRows !== gRows) throw new Error(`${c.name}: direct returned ${dRows} rows, the gateway ${gRows}`);
      const ratio = min(g) / min(d);
      rows.push([
        c.name,
        String(gRows),
        `${min(d).toFixed(0)} (${median(d).toFixed(0)})`,
        `${min(g).toFixed(0)} (${median(g).toFixed(0)})`,
        ratio.toFixed(2),
        min(dc).toFixed(0),
        min(gc).toFixed(0),
        (min(gc) / min(dc)).toFixed(2),
        c.scan ? (ratio <= 1.25 ? '<= 1.25 ok' : '<= 1.25 MISSED') : '-',
      ]);
    }
    const nd: number[] = [];
    const ndSql = `SELECT payload->>'type' AS type, count(*) AS n, sum((payload->>'amount')::INT) AS amount FROM read_json('${ndjsonDir}/*.ndjson.gz', format = 'newline_delimited') GROUP BY 1 ORDER BY 1`;
    await direct(ndSql, args.threads);
    for (let i = 0; i < args.runs; i++) nd.push(await timed(() => direct(ndSql, args.threads)));
    const scanDirect = Number(rows[1][2].split(' ')[0]);
    rows.push(['scan over gzipped NDJSON (direct)', '5', `${min(nd).toFixed(0)} (${median(nd).toFixed(0)})`, '-', `${(min(nd) / scanDirect).toFixed(2)} x Parquet`, '-', '-', '-', '-']);
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((v, i) => v.padEnd(widths[i])).join('  '));
    console.log(`\nstorage: Parquet ${mb(parquetBytes)} vs NDJSON.gz ${mb(ndjsonBytes)}`);
    console.log(`gateway peak RSS: ${mb(peakRssBytes(gateway.child.pid!))}`);
  } finally {
    await gateway?.stop(10_000);
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await stack.stop();
    if (!args.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
