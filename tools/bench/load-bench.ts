/**
 * `npm run bench:load [-- --records 1000000 --seconds 30 --clients 24 --abusers 16 --timeout 15000 --shards 4 --hours 24]`
 *
 * Many concurrent clients against one query gateway for a fixed time, with a mix of point lookups (a partition key
 * in one hour), range queries (an aggregate over two hours) and full scans (a group-by over the whole archive), all
 * through `POST /v1/query`. Builds a synthetic archive straight into Parquet, registers it in a fresh catalog
 * database, starts the gateway as a child process (its own local stack: Postgres from DATABASE_URL or an embedded
 * one) with the default admission settings, then runs four phases of `--seconds` each:
 *   1. one client (the baseline every other figure is a ratio of);
 *   2. `--clients` well-behaved clients over three tokens;
 *   3. the same, plus an abusive token: `--abusers` clients each submitting an unbounded query (it runs until the
 *      gateway's timeout), over and over, ignoring Retry-After (16 by default: more than its 1 running + 10 queued
 *      queries, so it meets 429s);
 *   4. phase 3 again on a gateway without a per-token limit (FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN = MAX_CONCURRENT,
 *      the behaviour before fair admission).
 * Prints per phase: throughput, p50 and p99 latency of the well-behaved clients as ratios of phase 1, 429 answers
 * and 5xx answers (any 5xx fails the run); then the fairness (the well-behaved p99 and throughput with the abuser
 * over phase 2, with and without the per-token limit) and the gateway's peak RSS against its configured DuckDB memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningService } from '@flux-capacitor/local-stack';
import { registerArchiveObjects, seededRandom, writeSyntheticArchive } from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import { mb, parseBenchArgs, peakRssBytes, startBenchGateway, startBenchStack } from './bench-gateway';

const POLITE_TOKENS = ['team-a-token-0123456789abcdef', 'team-b-token-0123456789abcdef', 'team-c-token-0123456789abcdef'];
const ABUSIVE_TOKEN = 'abusive-token-0123456789abcdef';
/** Never ends by itself: only the gateway's timeout (or a cancel) stops it. */
const UNBOUNDED_SQL = 'SELECT count(*) AS n FROM range(100000000000)';
const HOUR = 3_600_000;

type Kind = 'point' | 'range' | 'scan';

interface Tally {
  /** latency (ms) of each answered well-behaved request */
  latencies: number[];
  rejected: number;
  serverErrors: string[];
  abusiveSubmitted: number;
  abusiveRejected: number;
}

const newTally = (): Tally => ({ latencies: [], rejected: 0, serverErrors: [], abusiveSubmitted: 0, abusiveRejected: 0 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The statements of the mix; 60 % point lookups, 30 % range queries, 10 % scans. */
function statementFactory(startMs: number, hours: number, random: () => number): () => { kind: Kind; sql: string } {
  const ts = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
  return () => {
    const r = random();
    const hour = startMs + Math.floor(random() * hours) * HOUR;
    if (r < 0.6) {
      const pk = `pk-${Math.floor(random() * 10_000)}`;
      return { kind: 'point', sql: `SELECT shard_id, sequence_number, arrival_time, payload FROM orders WHERE partition_key = '${pk}' AND arrival_time BETWEEN '${ts(hour)}' AND '${ts(hour + HOUR - 1000)}'` };
    }
    if (r < 0.9) {
      const to = Math.min(hour + 2 * HOUR, startMs + hours * HOUR) - 1000;
      return { kind: 'range', sql: `SELECT payload->>'customer' AS customer, count(*) AS n FROM orders WHERE arrival_time BETWEEN '${ts(hour)}' AND '${ts(to)}' GROUP BY 1 ORDER BY 2 DESC LIMIT 10` };
    }
    return { kind: 'scan', sql: `SELECT payload->>'type' AS type, count(*) AS n, sum((payload->>'amount')::INT) AS amount FROM orders GROUP BY 1 ORDER BY 1` };
  };
}

async function call(base: string, method: string, path: string, token: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

/** Counts a 5xx (the bench fails on any); true when the answer was one. */
async function isServerError(res: Response, what: string, tally: Tally): Promise<boolean> {
  if (res.status < 500) return false;
  tally.serverErrors.push(`${what}: ${res.status} ${await res.text()}`);
  return true;
}

/** A well-behaved client: runs the mix back to back; on 429 waits as Retry-After says. */
async function politeClient(base: string, token: string, next: () => { sql: string }, until: number, tally: Tally): Promise<void> {
  while (Date.now() < until) {
    const { sql } = next();
    const t0 = performance.now();
    const res = await call(base, 'POST', '/v1/query', token, { sql });
    const ms = performance.now() - t0;
    if (res.status === 200) {
      await res.arrayBuffer();
      tally.latencies.push(ms);
    } else if (res.status === 429) {
      await res.arrayBuffer();
      tally.rejected++;
      await sleep(Math.min(Number(res.headers.get('retry-after') ?? 1) * 1000, Math.max(0, until - Date.now())));
    } else if (!(await isServerError(res, 'query', tally))) {
      throw new Error(`unexpected ${res.status} for ${sql}: ${await res.text()}`);
    }
  }
}

/** The abusive client: submits an unbounded query, polls it until it ends, again; on 429 retries after 200 ms. */
async function abusiveClient(base: string, until: number, tally: Tally, ids: Set<string>): Promise<void> {
  while (Date.now() < until) {
    const res = await call(base, 'POST', '/v1/queries', ABUSIVE_TOKEN, { sql: UNBOUNDED_SQL });
    if (res.status === 429) {
      await res.arrayBuffer();
      tally.abusiveRejected++;
      await sleep(200);
      continue;
    }
    if (await isServerError(res, 'abusive submit', tally)) continue;
    const { id } = (await res.json()) as { id: string };
    tally.abusiveSubmitted++;
    ids.add(id);
    while (Date.now() < until) {
      await sleep(500);
      const status = await call(base, 'GET', `/v1/queries/${id}`, ABUSIVE_TOKEN);
      if (await isServerError(status, 'abusive poll', tally)) continue;
      const { state } = (await status.json()) as { state: string };
      if (state !== 'queued' && state !== 'running') break;
    }
  }
}

/** One phase: `clients` well-behaved clients (round robin over `tokens`) and `abusers` abusive ones, for `seconds`. */
async function phase(gateway: RunningService, opts: { clients: number; tokens: string[]; abusers: number; seconds: number; next: () => { sql: string } }): Promise<Tally> {
  const tally = newTally();
  const until = Date.now() + opts.seconds * 1000;
  const abusive = new Set<string>();
  const abusers = Array.from({ length: opts.abusers }, () => abusiveClient(gateway.url, until, tally, abusive));
  // let the abuser take its slots first: the case where fairness matters
  if (opts.abusers > 0) await sleep(300);
  const polite = Array.from({ length: opts.clients }, (_, i) => politeClient(gateway.url, opts.tokens[i % opts.tokens.length], opts.next, until, tally));
  await Promise.all(abusers);
  // the abuser's queries still queued or running would hold slots into the next phase
  for (const id of abusive) {
    const res = await call(gateway.url, 'DELETE', `/v1/queries/${id}`, ABUSIVE_TOKEN);
    if (!(await isServerError(res, 'abusive cancel', tally))) await res.arrayBuffer();
  }
  await Promise.all(polite);
  return tally;
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const args = parseBenchArgs({ records: 1_000_000, seconds: 30, clients: 24, abusers: 16, timeout: 15_000, shards: 4, hours: 24, keep: false }, process.argv.slice(2));
  const root = mkdtempSync(join(tmpdir(), 'flux-load-bench-'));
  const stack = await startBenchStack(root);
  const archiveDir = join(root, 'archive');
  let gateway: RunningService | undefined;
  try {
    const startMs = Date.UTC(2026, 0, 1);
    const perShardHour = Math.ceil(args.records / (args.shards * args.hours));
    console.log(`building ${perShardHour * args.shards * args.hours} records: ${args.shards} shards x ${args.hours} hours, one Parquet object per shard-hour`);
    const objects = await writeSyntheticArchive({ directory: archiveDir, stream: 'orders', shards: args.shards, recordsPerShardHour: perShardHour, hours: args.hours, startMs });
    await registerArchiveObjects(stack.dbUrl, objects);
    const next = statementFactory(startMs, args.hours, seededRandom(42));
    const tokens = `${[...POLITE_TOKENS, ABUSIVE_TOKEN].map((t) => `${t}:query`).join(',')}`;
    // the default admission settings (2 slots, 1 per token, 100 queued, 10 per token) and DuckDB memory (1GB a query)
    const settings = { FLUX_API_TOKENS: tokens, FLUX_QUERY_TIMEOUT_MS: String(args.timeout) };
    const phases: { name: string; clients: number; tally: Tally }[] = [];
    const run = async (gw: RunningService, name: string, opts: { clients: number; tokens: string[]; abusers: number }) => {
      console.log(`  ${name} (${args.seconds} s)`);
      phases.push({ name, clients: opts.clients + opts.abusers, tally: await phase(gw, { ...opts, seconds: args.seconds, next }) });
    };

    const limited = await startBenchGateway(stack, { root, archiveDir, env: settings });
    gateway = limited;
    console.log(`\n${args.seconds} s per phase; the unbounded queries end at the gateway's timeout (${args.timeout} ms)`);
    await run(limited, 'single client (baseline)', { clients: 1, tokens: POLITE_TOKENS.slice(0, 1), abusers: 0 });
    await run(limited, 'load: 3 well-behaved tokens', { clients: args.clients, tokens: POLITE_TOKENS, abusers: 0 });
    await run(limited, 'load + abusive token', { clients: args.clients, tokens: POLITE_TOKENS, abusers: args.abusers });
    const peakRss = peakRssBytes(limited.child);
    await limited.stop(10_000);

    const unlimited = await startBenchGateway(stack, { root, archiveDir, env: { ...settings, FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: '2' } });
    gateway = unlimited;
    await run(unlimited, 'load + abusive token, no per-token limit', { clients: args.clients, tokens: POLITE_TOKENS, abusers: args.abusers });
    const peakRssOff = peakRssBytes(unlimited.child);

    const base = phases[0].tally;
    const throughput = (t: Tally) => t.latencies.length / args.seconds;
    const rows = [['phase', 'clients', 'answered', 'throughput', 'p50', 'p99', '429 (abusive)', '5xx']];
    for (const { name, clients, tally } of phases) {
      rows.push([
        name,
        String(clients),
        String(tally.latencies.length),
        (throughput(tally) / throughput(base)).toFixed(2),
        (percentile(tally.latencies, 50) / percentile(base.latencies, 50)).toFixed(2),
        (percentile(tally.latencies, 99) / percentile(base.latencies, 99)).toFixed(2),
        `${tally.rejected} (${tally.abusiveRejected} of ${tally.abusiveRejected + tally.abusiveSubmitted})`,
        String(tally.serverErrors.length),
      ]);
    }
    console.log('\nwell-behaved requests only; throughput, p50 and p99 as ratios of the single client (phase 1)');
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd());
    const p99 = (i: number) => percentile(phases[i].tally.latencies, 99);
    const vsLoad = (i: number) => `p99 ${(p99(i) / p99(1)).toFixed(2)}, throughput ${(throughput(phases[i].tally) / throughput(phases[1].tally)).toFixed(2)}`;
    console.log(`\nfairness (well-behaved, with the abusive token / without it): ${vsLoad(2)} with the per-token limit; ${vsLoad(3)} without it`);
    console.log(`baseline (single client): ${throughput(base).toFixed(1)} queries/s, p50 ${percentile(base.latencies, 50).toFixed(0)} ms, p99 ${percentile(base.latencies, 99).toFixed(0)} ms`);
    console.log(`gateway peak RSS: ${mb(peakRss)} (without the per-token limit: ${mb(peakRssOff)}); DuckDB memory_limit 1GB per query x 2 slots`);
    const serverErrors = phases.flatMap((p) => p.tally.serverErrors);
    console.log(`5xx answers: ${serverErrors.length}${serverErrors.length > 0 ? ` FAILED\n${serverErrors.slice(0, 10).join('\n')}` : ' ok'}`);
    if (serverErrors.length > 0) process.exitCode = 1;
  } finally {
    await gateway?.stop(10_000);
    await stack.stop();
    if (!args.keep) rmSync(root, { recursive: true, force: true });
    else console.log(`kept ${root}`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
