import { z } from 'zod';
import { envInt, envList } from '../env-types';

const share = z.coerce
  .number({ message: 'must be a number' })
  .min(0, { message: 'must be at least 0' })
  .max(0.95, { message: 'must be at most 0.95' });

/** Settings of the replay coordinator. */
export const replayEnv = z.object({
  FLUX_REPLAY_ALLOWED_TARGETS: envList
    .default(['*'])
    .describe('Comma-separated streams a replay may write to; `*` matches any run of characters (e.g. `sandbox-*,orders-restore`). Default: any stream.'),
  FLUX_REPLAY_RESERVE_SHARE: share
    .default(0.2)
    .describe("Share of each target shard's write capacity a replay leaves to live producers (0-0.95) when it runs as fast as the target allows."),
  FLUX_REPLAY_SHARD_RECORDS_PER_SECOND: envInt(1, 1_000_000)
    .default(1000)
    .describe('Write capacity of one target shard in records/s (Kinesis: 1,000). Raise it only for targets that accept more (emulators).'),
  FLUX_REPLAY_SHARD_BYTES_PER_SECOND: envInt(1024, 1_073_741_824)
    .default(1_048_576)
    .describe('Write capacity of one target shard in bytes/s (Kinesis: 1 MiB).'),
  FLUX_REPLAY_MAX_IN_FLIGHT: envInt(1, 64).default(4).describe('Concurrent PutRecords calls of one replay.'),
  FLUX_REPLAY_MAX_CONCURRENT: envInt(1, 64).default(2).describe('Replays one coordinator instance runs (or plans) at once; more wait.'),
  FLUX_REPLAY_LEASE_SECONDS: envInt(2, 600)
    .default(20)
    .describe('A replay whose coordinator has not renewed its lease for this long is resumed by another instance from its last checkpoint.'),
  FLUX_REPLAY_POLL_MS: envInt(100, 60_000)
    .default(2000)
    .describe('How often an idle coordinator looks for replays to run (SQS lifecycle messages wake it sooner).'),
  FLUX_REPLAY_WORK_DIR: z.string().min(1).default('.flux/replay').describe('Local folder for replay plans (Parquet) and DuckDB spill files.'),
  FLUX_REPLAY_MEMORY_LIMIT: z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, { message: 'must be a size such as 512MB or 2GB' })
    .default('1GB')
    .describe('DuckDB memory_limit while planning a replay; larger selections spill to FLUX_REPLAY_WORK_DIR.'),
  FLUX_REPLAY_LIVE_MAX_RECORDS: envInt(0, 100_000_000)
    .default(2_000_000)
    .describe('Most not-yet-archived records a replay plan reads from Kinesis; a larger live tail fails the plan (wait for the archiver).'),
  FLUX_REPLAY_LIVE_BUDGET_MS: envInt(100, 3_600_000).default(120_000).describe('Most time a replay plan spends reading the live tail.'),
});

export type ReplayEnv = z.infer<typeof replayEnv>;

export interface ReplayConfig {
  allowedTargets: string[];
  reserveShare: number;
  shardRecordsPerSecond: number;
  shardBytesPerSecond: number;
  maxInFlight: number;
  maxConcurrent: number;
  leaseMs: number;
  pollMs: number;
  workDir: string;
  memoryLimit: string;
  live: { maxRecords: number; budgetMs: number };
}

export function buildReplay(env: ReplayEnv, addIssue: (key: string, message: string) => void): ReplayConfig {
  for (const t of env.FLUX_REPLAY_ALLOWED_TARGETS) {
    if (!/^[A-Za-z0-9_.*-]+$/.test(t)) addIssue('FLUX_REPLAY_ALLOWED_TARGETS', `"${t}" is not a stream name or pattern (letters, digits, _ . - and *)`);
  }
  return {
    allowedTargets: env.FLUX_REPLAY_ALLOWED_TARGETS,
    reserveShare: env.FLUX_REPLAY_RESERVE_SHARE,
    shardRecordsPerSecond: env.FLUX_REPLAY_SHARD_RECORDS_PER_SECOND,
    shardBytesPerSecond: env.FLUX_REPLAY_SHARD_BYTES_PER_SECOND,
    maxInFlight: env.FLUX_REPLAY_MAX_IN_FLIGHT,
    maxConcurrent: env.FLUX_REPLAY_MAX_CONCURRENT,
    leaseMs: env.FLUX_REPLAY_LEASE_SECONDS * 1000,
    pollMs: env.FLUX_REPLAY_POLL_MS,
    workDir: env.FLUX_REPLAY_WORK_DIR,
    memoryLimit: env.FLUX_REPLAY_MEMORY_LIMIT.replace(/\s+/g, ''),
    live: { maxRecords: env.FLUX_REPLAY_LIVE_MAX_RECORDS, budgetMs: env.FLUX_REPLAY_LIVE_BUDGET_MS },
  };
}

/** Whether `stream` matches one of the allowed target patterns (`*` = any run of characters). */
export function isAllowedTarget(stream: string, patterns: string[]): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.\\^$+?()[\]{}|-]/g, '\\$&')).join('.*')}$`).test(stream));
}
