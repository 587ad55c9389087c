import type { ReplayStateName } from '@flux-capacitor/persistence';
import type { ReplaySpec } from './replay-spec';

export type ReplayState = ReplayStateName;

export const TERMINAL_STATES: readonly ReplayState[] = ['planned', 'completed', 'failed', 'cancelled'];

/** What a plan found, shown by a dry run and kept with every replay. */
export interface PlanSummary {
  records: number;
  bytes: number;
  /** distinct keys among the selected records (the compaction key, or the partition key) */
  distinctKeys: number;
  deletes: number;
  /** selected records per source shard */
  perShard: Record<string, number>;
  /** archive objects read, and records read from Kinesis (not archived yet) */
  objects: number;
  liveRecords: number;
  sample: PlanSampleRecord[];
  firstArrivalTime: string | null;
  lastArrivalTime: string | null;
  /** at the chosen pace and the target's capacity */
  estimatedSeconds: number;
  /** per source shard: the last position the replay includes */
  watermarks: Record<string, string>;
  planningMs: number;
}

export interface PlanSampleRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  key: string;
  op: 'upsert' | 'delete';
  /** the data as JSON, or `{ base64 }` when it is not JSON */
  payload: unknown;
}

export interface ReplayProgress {
  selected: number;
  put: number;
  failed: number;
  bytesSelected: number;
  bytesPut: number;
  ratePerSecond: number;
  etaSeconds: number | null;
}

/** A replay as the API shows it. */
export interface ReplayView {
  id: string;
  state: ReplayState;
  source: string;
  target: string;
  dryRun: boolean;
  spec: ReplaySpec;
  createdBy: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  progress: ReplayProgress;
  plan: PlanSummary | null;
  failures: { ordinal: number; partitionKey: string; errorCode: string; message: string }[];
  error: { code: string; message: string } | null;
}

/** The document consumers fetch to decide what a replayed record may overwrite (see docs/consistency.md). */
export interface ReplayWatermarksDocument {
  replayId: string;
  sourceStream: string;
  targetStream: string;
  state: ReplayState;
  watermarks: { shardId: string; sequenceNumber: string }[];
  shards: { shardId: string; parentShardId: string | null; adjacentParentShardId: string | null }[];
}
