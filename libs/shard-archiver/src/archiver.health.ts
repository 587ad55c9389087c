import type { ShardStatus } from './shard/shard-consumer';

export type ShardHealth = ShardStatus & { retentionHours?: number };

/**
 * Shards whose oldest unarchived record is older than half the stream's retention period. Past the retention
 * period Kinesis drops records for good, so half of it is when someone must act.
 */
export function retentionWarnings(shards: ShardHealth[]): string[] {
  return shards
    .filter((s) => s.retentionHours !== undefined && s.oldestUnarchivedAgeMs > (s.retentionHours * 3_600_000) / 2)
    .map(
      (s) =>
        `${s.stream}/${s.shardId}: oldest unarchived record is ${Math.round(s.oldestUnarchivedAgeMs / 1000)} s old, past half the ${s.retentionHours} h retention`,
    );
}

/** down when a stream or shard fails, degraded when records approach the end of retention, else up. */
export function archiverStatus(errors: Record<string, string>, warnings: string[]): 'up' | 'degraded' | 'down' {
  return Object.keys(errors).length > 0 ? 'down' : warnings.length > 0 ? 'degraded' : 'up';
}
