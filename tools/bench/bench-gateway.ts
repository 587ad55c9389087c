import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDatabaseUrl } from '@flux-capacitor/config';
import { freePort, startLocalStack, startService, type RunningService } from '@flux-capacitor/local-stack';
import { migrate } from '@flux-capacitor/persistence';
import { Client } from 'pg';

/** `--name value` flags over numeric defaults; `--keep` (no value) sets a boolean `keep`. */
export function parseBenchArgs<T extends Record<string, number | boolean>>(defaults: T, argv: string[]): T {
  const args: Record<string, number | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].slice(2);
    if (!argv[i].startsWith('--') || !(name in args)) continue;
    if (typeof args[name] === 'boolean') args[name] = true;
    else args[name] = Number(argv[++i]);
  }
  return args as T;
}

/** The most resident memory a process has had (VmHWM), in bytes. */
export function peakRssBytes(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('the process did not start');
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export interface BenchStack {
  /** the emulators' endpoints as service settings */
  env: Record<string, string>;
  /** a fresh, migrated database for this run */
  dbUrl: string;
  stop(): Promise<void>;
}

/**
 * The benchmarks' own local stack (the gateway consumes SQS): emulators, Postgres from DATABASE_URL or an embedded
 * one (so the bare command runs on a fresh clone), and a fresh migrated database, dropped by `stop()`.
 */
export async function startBenchStack(root: string): Promise<BenchStack> {
  let databaseUrl: string | undefined;
  try {
    databaseUrl = loadDatabaseUrl();
  } catch {
    databaseUrl = undefined;
  }
  const stack = await startLocalStack({ dataDir: root, databaseUrl, database: `flux_bench_admin_${process.pid}` });
  const adminUrl = stack.endpoints.adminDatabaseUrl;
  const dbName = `flux_bench_${Date.now()}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();
  await migrate(dbUrl);
  return {
    env: stack.env,
    dbUrl,
    stop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
      await admin.end();
      await stack.stop();
    },
  };
}

/**
 * Starts the query gateway as a child process over `archiveDir` (a file archive registered in the stack's database),
 * as `fluxcap dev` and the e2e tests run a service; resolves once /health answers. `env` adds or overrides settings.
 */
export async function startBenchGateway(stack: BenchStack, options: { root: string; archiveDir: string; env: Record<string, string> }): Promise<RunningService> {
  const log: string[] = [];
  return startService('query-gateway', {
    port: await freePort(),
    onLine: (line) => void log.push(line),
    env: {
      PATH: process.env.PATH ?? '',
      ...stack.env,
      DATABASE_URL: stack.dbUrl,
      FLUX_ARCHIVE_URI: `file://${options.archiveDir}`,
      FLUX_SQS_QUEUE_PREFIX: `bench${process.pid}-`,
      FLUX_QUERY_LIVE: 'false',
      FLUX_QUERY_WORK_DIR: join(options.root, 'work'),
      LOG_LEVEL: 'warn',
      ...options.env,
    },
  }).catch((err: Error) => {
    throw new Error(`${err.message}:\n${log.join('\n')}`, { cause: err });
  });
}
