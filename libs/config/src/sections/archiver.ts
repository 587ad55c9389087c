import { ARCHIVE_ROW_ORDERS, DEFAULT_MAX_FIELD_COLUMNS, MAX_FIELD_COLUMN_MEAN_BYTES, STREAM_NAME_PATTERN, type ArchiveRowOrder } from '@flux-capacitor/contracts';
import { z } from 'zod';
import { envInt, envList } from '../env-types';

export const INITIAL_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'] as const;
export type InitialPosition = (typeof INITIAL_POSITIONS)[number];

/** Settings of the archiver (service and `fluxcap archive`). */
export const archiverEnv = z.object({
  FLUX_ARCHIVER_STREAMS: envList
    .default([])
    .describe('Comma-separated Kinesis stream names the archiver service archives. `fluxcap archive --stream` overrides it.'),
  FLUX_BUFFER_SIZE_MIB: envInt(1, 128)
    .default(64)
    .describe('Buffering hint: write an archive object once its buffer holds this many MiB of records (1-128).'),
  FLUX_BUFFER_INTERVAL_SECONDS: envInt(1, 900)
    .default(300)
    .describe('Buffering hint: write an archive object once its oldest record has waited this long (1-900 s).'),
  FLUX_ARCHIVER_MEMORY_MIB: envInt(128, 1048576)
    .default(512)
    .describe(
      'Resident memory one archiver instance stays within, in MiB (default 512, for a 1 GiB container). What the process needs for itself is measured at start, DuckDB writing an object takes 128 MiB and working memory (upload parts, garbage) 48 MiB; GetRecords pages being fetched share the rest, across all shards (each shard reads pages of its share). Buffered rows wait on disk (FLUX_ARCHIVER_SPOOL_MIB).',
    ),
  FLUX_ARCHIVER_SPOOL_MIB: envInt(16, 1048576)
    .default(1024)
    .describe(
      'Disk the records one archiver instance has read but not yet written to the archive may take in FLUX_ARCHIVER_TEMP_DIR, in MiB (default 1024). When it is full the archiver writes its largest buffer, and reading waits until a write frees room.',
    ),
  FLUX_ARCHIVER_OBJECT_SCOPE: z
    .enum(['stream', 'shard'], { message: 'must be stream or shard' })
    .default('stream')
    .describe(
      'What one archive object holds: `stream` (the records of every shard of a stream and hour this instance holds: few large objects) or `shard` (one shard per object, as before 0.9).',
    ),
  FLUX_ARCHIVER_INITIAL_POSITION: z
    .enum(INITIAL_POSITIONS, { message: `must be one of ${INITIAL_POSITIONS.join(', ')}` })
    .default('TRIM_HORIZON')
    .describe('Where a stream seen for the first time starts: TRIM_HORIZON (oldest record), LATEST or AT_TIMESTAMP.'),
  FLUX_ARCHIVER_INITIAL_TIMESTAMP: z.iso
    .datetime({ message: 'must be an ISO-8601 UTC timestamp such as 2026-01-31T00:00:00Z' })
    .optional()
    .describe('Start time for FLUX_ARCHIVER_INITIAL_POSITION=AT_TIMESTAMP (ISO-8601). Required with AT_TIMESTAMP.'),
  FLUX_ARCHIVER_WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'may hold only letters, digits, . _ : - (max 128)' })
    .optional()
    .describe('Lease owner name of this archiver instance. Defaults to host-pid-random; set a stable one to re-claim leases at once after a restart.'),
  FLUX_LEASE_DURATION_SECONDS: envInt(2, 600)
    .default(30)
    .describe('A shard lease not renewed for this long is taken over by another archiver instance.'),
  FLUX_LEASE_HEARTBEAT_SECONDS: envInt(1, 300)
    .default(10)
    .describe('How often an archiver renews its leases and looks for new or expired shards. Must be below the lease duration.'),
  FLUX_ARCHIVER_MAX_SHARDS: envInt(1, 10000)
    .default(1000)
    .describe('Most shard leases one archiver instance holds at a time.'),
  FLUX_GET_RECORDS_LIMIT: envInt(1, 10000)
    .default(10000)
    .describe('Records asked for per GetRecords call (Kinesis maximum 10,000).'),
  FLUX_GET_RECORDS_IDLE_MS: envInt(200, 60000)
    .default(1000)
    .describe('Pause between GetRecords calls once a shard is caught up with the tip (at least 200 ms: 5 calls/s/shard).'),
  FLUX_ARCHIVER_FIELD_COLUMNS: envInt(0, 256)
    .default(DEFAULT_MAX_FIELD_COLUMNS)
    .describe(
      `Most field columns per stream (0-256, default ${DEFAULT_MAX_FIELD_COLUMNS}): scalar JSON paths of the stream's catalog schema the archiver stores as their own Parquet columns beside the record, so queries on them read no JSON; strings averaging over ${MAX_FIELD_COLUMN_MEAN_BYTES} bytes (free text) get none. 0 turns them off.`,
    ),
  FLUX_ARCHIVER_SORT: z
    .enum(ARCHIVE_ROW_ORDERS, { message: `must be one of ${ARCHIVE_ROW_ORDERS.join(', ')}` })
    .default('sequence')
    .describe(
      'Row order inside each archive object: `sequence` (as read: time-range reads inside an object skip the most) or `partition_key` (sorted by partition key, each key in sequence order: lookups by partition key read one row group per object, for a slower write: the object being written is first copied in key order, by DuckDB within its memory, spilling to FLUX_ARCHIVER_TEMP_DIR).',
    ),
  FLUX_ARCHIVER_TEMP_DIR: z
    .string()
    .optional()
    .describe('Local folder for buffered GetRecords pages, Parquet files before upload and DuckDB spill. Defaults to the OS temp folder.'),
});

export type ArchiverEnv = z.infer<typeof archiverEnv>;

export interface ArchiverConfig {
  streams: string[];
  bufferSizeBytes: number;
  bufferIntervalMs: number;
  /** Resident memory the instance stays within; GetRecords pages get what the process and DuckDB do not need. */
  memoryBytes: number;
  /** Disk the buffered rows (page files) may take in the temp folder. */
  spoolBytes: number;
  objectScope: 'stream' | 'shard';
  initialPosition: { type: InitialPosition; timestamp?: Date };
  workerId?: string;
  leaseDurationMs: number;
  leaseHeartbeatMs: number;
  maxShards: number;
  getRecordsLimit: number;
  idleMs: number;
  tempDir?: string;
  /** Most field columns per stream; 0: none. */
  fieldColumns: number;
  /** Row order inside each object (FLUX_ARCHIVER_SORT). */
  rowOrder: ArchiveRowOrder;
}

export function buildArchiver(env: ArchiverEnv, addIssue: (key: string, message: string) => void): ArchiverConfig {
  if (env.FLUX_ARCHIVER_INITIAL_POSITION === 'AT_TIMESTAMP' && !env.FLUX_ARCHIVER_INITIAL_TIMESTAMP) {
    addIssue('FLUX_ARCHIVER_INITIAL_TIMESTAMP', 'is required when FLUX_ARCHIVER_INITIAL_POSITION is AT_TIMESTAMP');
  }
  if (env.FLUX_LEASE_HEARTBEAT_SECONDS >= env.FLUX_LEASE_DURATION_SECONDS) {
    addIssue('FLUX_LEASE_HEARTBEAT_SECONDS', `must be below FLUX_LEASE_DURATION_SECONDS (${env.FLUX_LEASE_DURATION_SECONDS})`);
  }
  for (const stream of env.FLUX_ARCHIVER_STREAMS) {
    if (!STREAM_NAME_PATTERN.test(stream)) addIssue('FLUX_ARCHIVER_STREAMS', `"${stream}" is not a valid Kinesis stream name`);
  }
  return {
    streams: env.FLUX_ARCHIVER_STREAMS,
    bufferSizeBytes: env.FLUX_BUFFER_SIZE_MIB * 1024 * 1024,
    bufferIntervalMs: env.FLUX_BUFFER_INTERVAL_SECONDS * 1000,
    memoryBytes: env.FLUX_ARCHIVER_MEMORY_MIB * 1024 * 1024,
    spoolBytes: env.FLUX_ARCHIVER_SPOOL_MIB * 1024 * 1024,
    objectScope: env.FLUX_ARCHIVER_OBJECT_SCOPE,
    initialPosition: {
      type: env.FLUX_ARCHIVER_INITIAL_POSITION,
      timestamp: env.FLUX_ARCHIVER_INITIAL_TIMESTAMP ? new Date(env.FLUX_ARCHIVER_INITIAL_TIMESTAMP) : undefined,
    },
    workerId: env.FLUX_ARCHIVER_WORKER_ID,
    leaseDurationMs: env.FLUX_LEASE_DURATION_SECONDS * 1000,
    leaseHeartbeatMs: env.FLUX_LEASE_HEARTBEAT_SECONDS * 1000,
    maxShards: env.FLUX_ARCHIVER_MAX_SHARDS,
    getRecordsLimit: env.FLUX_GET_RECORDS_LIMIT,
    idleMs: env.FLUX_GET_RECORDS_IDLE_MS,
    tempDir: env.FLUX_ARCHIVER_TEMP_DIR,
    fieldColumns: env.FLUX_ARCHIVER_FIELD_COLUMNS,
    rowOrder: env.FLUX_ARCHIVER_SORT,
  };
}
