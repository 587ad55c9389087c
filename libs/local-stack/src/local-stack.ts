import { fork, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';

export type KinesisEmulator = 'kinesalite' | 'kinesis-local';

export interface LocalStackOptions {
  /** Folder for emulator data (S3 objects, embedded Postgres, and Kinesis with persistKinesis). SQS keeps state in memory. */
  dataDir: string;
  kinesis?: KinesisEmulator;
  /**
   * Keep kinesalite's streams and records in `<dataDir>/kinesis` (LevelDB), so a restart on the same dataDir finds
   * them again, as the archive, catalog and checkpoints kept in the same folder expect (`fluxcap dev`). Off by default:
   * tests and benchmarks want the in-memory store, faster and leaving nothing behind. kinesis-local keeps no data.
   */
  persistKinesis?: boolean;
  /** Fixed ports (dev); 0 or absent picks free ones (tests). */
  ports?: { kinesis?: number; sqs?: number; s3?: number; postgres?: number };
  /** Use this Postgres server instead of starting an embedded one. */
  databaseUrl?: string;
  /** Database created (when missing) and put in the returned DATABASE_URL. */
  database?: string;
  buckets?: string[];
  region?: string;
  onLog?: (line: string) => void;
}

export interface StackEndpoints {
  region: string;
  kinesis: string;
  sqs: string;
  s3: string;
  /** Connection URL of the flux database. */
  databaseUrl: string;
  /** Connection URL of the server's maintenance database, for creating more databases. */
  adminDatabaseUrl: string;
  kinesisEmulator: KinesisEmulator;
  postgres: 'embedded' | 'external';
}

export interface RunningStack {
  endpoints: StackEndpoints;
  /** The endpoints as the environment variables the services read. */
  env: Record<string, string>;
  /** Process ids of the emulators, for benchmarks that measure what the endpoints cost (none for a container stack). */
  pids?: { kinesis: number; sqs: number; s3: number };
  stop(): Promise<void>;
}

const EMULATOR_DIR = join(__dirname, 'emulators');

/** Forks an emulator script and resolves with the port it bound once it reports ready. */
function startEmulator(
  name: string,
  options: Record<string, unknown>,
  execArgv: string[] = [],
  onLog?: (line: string) => void,
): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(join(EMULATOR_DIR, `${name}.js`), [JSON.stringify(options)], {
      execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A process group of its own: Ctrl-C in a terminal signals the whole foreground group, and Postgres would
      // then terminate the services' connections while they still shut down. The stack is stopped after them.
      detached: true,
    });
    const forward = (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => onLog?.(`[${name}] ${line}`));
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.once('message', (msg: { ready: boolean; port?: number; error?: string }) => {
      clearTimeout(timer);
      if (msg.ready && msg.port) resolve({ child, port: msg.port });
      else reject(new Error(`${name} failed to start: ${msg.error ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the child has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    // Another stack on the same server (a second `fluxcap dev`, a parallel test) may create it between the two.
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // duplicate_database, or the unique index on pg_database when both CREATEs ran at the same moment
        if (error.code !== '42P04' && error.code !== '23505') throw error;
      });
    }
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Starts real AWS emulators on loopback (Kinesis, SQS, S3) and a Postgres (the given server, or an embedded
 * PostgreSQL). Every emulator is a child process that exits when this process goes away.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<RunningStack> {
  const region = options.region ?? 'us-east-1';
  const kinesisEmulator = options.kinesis ?? 'kinesalite';
  const database = options.database ?? 'flux';
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => stopChild(c)));
  };
  try {
    mkdirSync(options.dataDir, { recursive: true });
    // Run as root, embedded PostgreSQL drops to a `postgres` user, which must be able to reach its data directory
    // (mkdtemp makes folders only their owner can enter).
    if (!options.databaseUrl) chmodSync(options.dataDir, 0o755);
    const pids: Record<string, number> = {};
    const start = async (name: string, opts: Record<string, unknown>, execArgv: string[] = []) => {
      const started = await startEmulator(name, opts, execArgv, options.onLog);
      children.push(started.child);
      pids[name] = started.child.pid!;
      return started.port;
    };
    const pgPort = options.databaseUrl ? 0 : options.ports?.postgres || (await freePort());
    const [kinesisPort, sqsPort, s3Port] = await Promise.all([
      kinesisEmulator === 'kinesalite'
        ? start('kinesalite', { port: options.ports?.kinesis ?? 0, ...(options.persistKinesis ? { dataDir: join(options.dataDir, 'kinesis') } : {}) })
        : start('kinesis-local', { port: options.ports?.kinesis || (await freePort()), tlsPort: await freePort(), region }),
      start('sqs', { port: options.ports?.sqs ?? 0, region }),
      // s3rver's ListObjectsV2 continuation tokens use a cipher OpenSSL 3 only offers through its legacy provider.
      start('s3', { port: options.ports?.s3 ?? 0, dataDir: join(options.dataDir, 's3'), buckets: options.buckets ?? [] }, [
        '--openssl-legacy-provider',
      ]),
      options.databaseUrl
        ? Promise.resolve(0)
        : start('postgres', {
            port: pgPort,
            dataDir: join(options.dataDir, 'postgres'),
            socketDir: join(options.dataDir, 'postgres-socket'),
            databases: [database],
          }),
    ]);
    const adminDatabaseUrl = options.databaseUrl
      ? withDatabase(options.databaseUrl, 'postgres')
      : `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
    const databaseUrl = withDatabase(adminDatabaseUrl, database);
    await ensureDatabase(adminDatabaseUrl, database);
    const endpoints: StackEndpoints = {
      region,
      kinesis: `http://127.0.0.1:${kinesisPort}`,
      sqs: `http://127.0.0.1:${sqsPort}`,
      s3: `http://127.0.0.1:${s3Port}`,
      databaseUrl,
      adminDatabaseUrl,
      kinesisEmulator,
      postgres: options.databaseUrl ? 'external' : 'embedded',
    };
    return { endpoints, env: stackEnv(endpoints), pids: { kinesis: pids[kinesisEmulator], sqs: pids.sqs, s3: pids.s3 }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** The environment variables that point flux-capacitor at a stack. */
export function stackEnv(e: StackEndpoints): Record<string, string> {
  return {
    AWS_REGION: e.region,
    AWS_ENDPOINT_URL_KINESIS: e.kinesis,
    AWS_ENDPOINT_URL_SQS: e.sqs,
    AWS_ENDPOINT_URL_S3: e.s3,
    // Emulators accept any credentials; set them so the SDK's default chain does not go looking for real ones.
    AWS_ACCESS_KEY_ID: 'flux-local',
    AWS_SECRET_ACCESS_KEY: 'flux-local',
    DATABASE_URL: e.databaseUrl,
  };
}
