import type { DataSource } from 'typeorm';

/** One shard's archiving status as the archiver cluster recorded it (libs/persistence archiver_shard_lease). */
export interface ShardArchiveStatus {
  shardId: string;
  /** the instance holding the lease, null when no live lease */
  owner: string | null;
  leaseExpiresAt: Date | null;
  /** the last sequence number durable in the archive */
  checkpointSequence: string | null;
  millisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  /** when the holder last reported (its heartbeat); null before the first report */
  statusUpdatedAt: Date | null;
  /** the oldest unarchived record is older than half the retention period */
  atRisk: boolean;
  /** a reshard closed the shard and it is fully archived */
  finishedAt: Date | null;
}

export interface StreamArchiveStatus {
  stream: string;
  retentionHours: number | null;
  shards: ShardArchiveStatus[];
}

export interface StreamArchiveSummary {
  stream: string;
  retentionHours: number | null;
  /** shards being archived (not finished) */
  shardCount: number;
  maxMillisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  atRisk: boolean;
}

/**
 * At risk: the oldest record not yet in the archive is older than half the retention period. Past the retention
 * period Kinesis drops records for good (the same rule as the archiver's /health warning).
 */
export function isAtRisk(oldestUnarchivedAgeMs: number | null, retentionHours: number | null): boolean {
  return oldestUnarchivedAgeMs !== null && retentionHours !== null && oldestUnarchivedAgeMs > (retentionHours * 3_600_000) / 2;
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Reads the archiving status of every shard from Postgres, where each lease holder writes it with its heartbeat:
 * any archiver instance answers for the whole cluster, whichever instance archives a shard.
 */
export class ArchiveStatusReader {
  constructor(private readonly dataSource: DataSource) {}

  /** Every stream an archiver has leases for, with its shards' worst lag. */
  async listStreams(): Promise<StreamArchiveSummary[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT stream_name, max(retention_hours) AS retention_hours,
              count(*) FILTER (WHERE finished_at IS NULL) AS shard_count,
              max(millis_behind_latest) FILTER (WHERE finished_at IS NULL) AS max_millis_behind_latest,
              max(oldest_unarchived_age_ms) FILTER (WHERE finished_at IS NULL) AS oldest_unarchived_age_ms
         FROM archiver_shard_lease GROUP BY stream_name ORDER BY stream_name`,
    );
    return rows.map((r) => {
      const retentionHours = num(r.retention_hours);
      const oldestUnarchivedAgeMs = num(r.oldest_unarchived_age_ms);
      return {
        stream: r.stream_name as string,
        retentionHours,
        shardCount: Number(r.shard_count),
        maxMillisBehindLatest: num(r.max_millis_behind_latest),
        oldestUnarchivedAgeMs,
        atRisk: isAtRisk(oldestUnarchivedAgeMs, retentionHours),
      };
    });
  }

  /** A stream's shards, by shard id; null when no archiver knows the stream. */
  async getStream(stream: string): Promise<StreamArchiveStatus | null> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT shard_id, owner, lease_expires_at, (lease_expires_at > now()) AS live, checkpoint_sequence_number, millis_behind_latest,
              oldest_unarchived_age_ms, retention_hours, status_updated_at, finished_at
         FROM archiver_shard_lease WHERE stream_name = $1 ORDER BY shard_id`,
      [stream],
    );
    if (rows.length === 0) return null;
    const retentionHours = rows.reduce<number | null>((max, r) => (r.retention_hours === null ? max : Math.max(max ?? 0, Number(r.retention_hours))), null);
    return {
      stream,
      retentionHours,
      shards: rows.map((r) => {
        const finished = r.finished_at !== null;
        // A finished shard is wholly archived: nothing of it is behind or at risk, whatever its last report said.
        const oldestUnarchivedAgeMs = finished ? null : num(r.oldest_unarchived_age_ms);
        const live = Boolean(r.live);
        return {
          shardId: r.shard_id as string,
          owner: live ? ((r.owner as string | null) ?? null) : null,
          leaseExpiresAt: live ? (r.lease_expires_at as Date) : null,
          checkpointSequence: (r.checkpoint_sequence_number as string | null) ?? null,
          millisBehindLatest: finished ? null : num(r.millis_behind_latest),
          oldestUnarchivedAgeMs,
          statusUpdatedAt: (r.status_updated_at as Date | null) ?? null,
          atRisk: isAtRisk(oldestUnarchivedAgeMs, retentionHours),
          finishedAt: (r.finished_at as Date | null) ?? null,
        };
      }),
    };
  }
}
