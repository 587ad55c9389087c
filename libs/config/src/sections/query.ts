import { z } from 'zod';
import { envBoolean, envInt, envPort, envUrl } from '../env-types';

/** Settings of the query gateway (and of `fluxcap query` when it runs the engine embedded). */
export const queryEnv = z.object({
  FLUX_QUERY_ENGINE: z.enum(['duckdb', 'drill']).default('duckdb').describe('Default query engine: `duckdb` (embedded) or `drill` (Apache Drill over REST). A request may choose per query.'),
  FLUX_QUERY_TIMEOUT_MS: envInt(100, 3_600_000).default(60_000).describe('A query running longer than this is interrupted.'),
  FLUX_QUERY_MAX_ROWS: envInt(1, 100_000_000).default(1_000_000).describe('Row cap of an asynchronous query result; more rows are dropped and the result is marked truncated.'),
  FLUX_QUERY_SYNC_MAX_ROWS: envInt(1, 1_000_000).default(10_000).describe('Row cap of `POST /v1/query` (synchronous).'),
  FLUX_QUERY_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, { message: 'must be a size such as 512MB or 2GB' }).default('1GB').describe('DuckDB memory_limit of each query.'),
  FLUX_QUERY_THREADS: envInt(1, 256).default(2).describe('DuckDB threads of each query.'),
  FLUX_QUERY_IDLE_INSTANCES: envInt(0, 64)
    .default(4)
    .describe('DuckDB instances of finished queries kept idle (for 60 s) for the next query over the same streams and the same archive objects: its Parquet footers stay cached and it skips start-up (docs/query.md). `0`: every query gets a fresh instance.'),
  FLUX_QUERY_MAX_CONCURRENT: envInt(1, 64).default(2).describe('Queries each gateway replica runs at once; the rest wait in state `queued`.'),
  FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: envInt(1, 64).default(1).describe('Queries one bearer token runs at once on each gateway replica (per replica, not shared: N replicas admit up to N times this; capped at `FLUX_QUERY_MAX_CONCURRENT`; set them equal for a single tenant); its other queries wait while other tokens run theirs. Waiting queries are started round robin over tokens.'),
  FLUX_QUERY_MAX_QUEUED: envInt(0, 100_000).default(100).describe('Queries that may wait in state `queued` on each gateway replica, over all tokens; past it a new query is refused with 429 and `Retry-After`.'),
  FLUX_QUERY_MAX_QUEUED_PER_TOKEN: envInt(0, 100_000).default(10).describe('Queries one token may have waiting on each gateway replica (per replica, not shared; capped at `FLUX_QUERY_MAX_QUEUED`); past it that token gets 429 and `Retry-After`, other tokens are still admitted.'),
  FLUX_QUERY_RESULT_TTL_SECONDS: envInt(10, 604_800).default(3600).describe('How long a finished query and its results are kept.'),
  FLUX_QUERY_JOB_LEASE_MS: envInt(1000, 600_000).default(30_000).describe('A replica refreshes the heartbeat of the queries it runs every third of this; a queued or running query whose heartbeat is older is marked failed by any replica (its replica stopped).'),
  FLUX_QUERY_WORK_DIR: z.string().min(1).default('.flux/query').describe('Local folder for query spill files, exports and the S3 object cache; one per process (a gateway empties its cache there at start).'),
  FLUX_QUERY_CACHE_MAX_BYTES: envInt(1_000_000, Number.MAX_SAFE_INTEGER).default(2_000_000_000).describe('Bound of the local cache of S3 archive objects.'),
  FLUX_QUERY_PREFETCH: envBoolean.default(true).describe('Download a new partition\'s S3 objects into the local cache when the catalog announces it (`catalog.partition.added`), so the first query over fresh data does not wait for them.'),
  FLUX_QUERY_LIVE: envBoolean.default(true).describe('Include the live tail (records still only in Kinesis) in stream tables.'),
  FLUX_QUERY_LIVE_MAX_RECORDS: envInt(0, 10_000_000).default(100_000).describe('Most live-tail records one query reads from Kinesis.'),
  FLUX_QUERY_LIVE_BUDGET_MS: envInt(100, 600_000).default(10_000).describe('Most time one query spends reading the live tail.'),
  FLUX_PG_PORT: envPort.optional().describe('Port of the PostgreSQL wire-protocol endpoint of the query gateway (psql, DBeaver, Metabase; docs/pgwire.md). Off unless set; `fluxcap dev` picks a free one.'),
  FLUX_PG_HOST: z.string().min(1).optional().describe('Interface the PostgreSQL endpoint binds to. Defaults to HOST.'),
  FLUX_PG_TLS_CERT: z.string().min(1).optional().describe('PEM certificate of the PostgreSQL endpoint, a file path or the PEM text itself (an ECS secret); with FLUX_PG_TLS_KEY, clients connect with TLS (sslmode=require), and must from other hosts.'),
  FLUX_PG_TLS_KEY: z.string().min(1).optional().describe('PEM private key matching FLUX_PG_TLS_CERT, a file path or the PEM text itself.'),
  FLUX_PG_ALLOW_PLAINTEXT: envBoolean.default(false).describe('Let the PostgreSQL endpoint bind beyond loopback without TLS (the password, an API token, then crosses the network in clear text). Without it the gateway refuses to start.'),
  FLUX_DRILL_URL: envUrl.optional().describe('Apache Drill web server (e.g. http://drill:8047). Required when FLUX_QUERY_ENGINE=drill.'),
  FLUX_DRILL_SCHEMA: z.string().min(1).default('dfs.flux').describe('Drill schema holding the stream views the catalog maintains.'),
  FLUX_DRILL_USER: z.string().min(1).optional().describe('User Drill impersonates for gateway queries (give it read-only access).'),
});

export type QueryEnv = z.infer<typeof queryEnv>;

export interface QueryConfig {
  defaultEngine: 'duckdb' | 'drill';
  timeoutMs: number;
  maxRows: number;
  syncMaxRows: number;
  memoryLimit: string;
  threads: number;
  /** idle DuckDB instances kept for later queries over the same objects (DuckDbEngine) */
  idleInstances: number;
  maxConcurrent: number;
  /** per bearer token, and the queue bounds past which a query is refused (429) */
  admission: { maxConcurrentPerToken: number; maxQueued: number; maxQueuedPerToken: number };
  resultTtlMs: number;
  jobLeaseMs: number;
  workDir: string;
  cacheMaxBytes: number;
  prefetch: boolean;
  live: { enabled: boolean; maxRecords: number; budgetMs: number };
  drill?: { url: string; defaultSchema: string; userName?: string };
  /** the PostgreSQL wire-protocol endpoint; absent = off. `host` absent = the HTTP host */
  pg?: { port: number; host?: string; tls?: { certFile: string; keyFile: string }; allowPlaintext: boolean };
}

export function buildQuery(env: QueryEnv, addIssue: (key: string, message: string) => void): QueryConfig {
  if (env.FLUX_QUERY_ENGINE === 'drill' && !env.FLUX_DRILL_URL) addIssue('FLUX_DRILL_URL', 'is required when FLUX_QUERY_ENGINE=drill');
  if (!env.FLUX_PG_TLS_CERT !== !env.FLUX_PG_TLS_KEY) addIssue(env.FLUX_PG_TLS_CERT ? 'FLUX_PG_TLS_KEY' : 'FLUX_PG_TLS_CERT', 'FLUX_PG_TLS_CERT and FLUX_PG_TLS_KEY are set together');
  return {
    defaultEngine: env.FLUX_QUERY_ENGINE,
    timeoutMs: env.FLUX_QUERY_TIMEOUT_MS,
    maxRows: env.FLUX_QUERY_MAX_ROWS,
    syncMaxRows: env.FLUX_QUERY_SYNC_MAX_ROWS,
    memoryLimit: env.FLUX_QUERY_MEMORY_LIMIT.replace(/\s+/g, ''),
    threads: env.FLUX_QUERY_THREADS,
    idleInstances: env.FLUX_QUERY_IDLE_INSTANCES,
    maxConcurrent: env.FLUX_QUERY_MAX_CONCURRENT,
    // a per-token bound above the whole means "no per-token bound": clamped, so lowering only the whole is enough
    admission: {
      maxConcurrentPerToken: Math.min(env.FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN, env.FLUX_QUERY_MAX_CONCURRENT),
      maxQueued: env.FLUX_QUERY_MAX_QUEUED,
      maxQueuedPerToken: Math.min(env.FLUX_QUERY_MAX_QUEUED_PER_TOKEN, env.FLUX_QUERY_MAX_QUEUED),
    },
    resultTtlMs: env.FLUX_QUERY_RESULT_TTL_SECONDS * 1000,
    jobLeaseMs: env.FLUX_QUERY_JOB_LEASE_MS,
    workDir: env.FLUX_QUERY_WORK_DIR,
    cacheMaxBytes: env.FLUX_QUERY_CACHE_MAX_BYTES,
    prefetch: env.FLUX_QUERY_PREFETCH,
    live: { enabled: env.FLUX_QUERY_LIVE, maxRecords: env.FLUX_QUERY_LIVE_MAX_RECORDS, budgetMs: env.FLUX_QUERY_LIVE_BUDGET_MS },
    pg:
      env.FLUX_PG_PORT === undefined
        ? undefined
        : {
            port: env.FLUX_PG_PORT,
            host: env.FLUX_PG_HOST,
            tls: env.FLUX_PG_TLS_CERT && env.FLUX_PG_TLS_KEY ? { certFile: env.FLUX_PG_TLS_CERT, keyFile: env.FLUX_PG_TLS_KEY } : undefined,
            allowPlaintext: env.FLUX_PG_ALLOW_PLAINTEXT,
          },
    drill: env.FLUX_DRILL_URL ? { url: env.FLUX_DRILL_URL, defaultSchema: env.FLUX_DRILL_SCHEMA, userName: env.FLUX_DRILL_USER } : undefined,
  };
}
