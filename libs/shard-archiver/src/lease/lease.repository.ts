import type { InitialPosition } from '@flux-capacitor/config';
import type { DataSource, QueryRunner } from 'typeorm';
import { LeaseLostError } from '../archiver.errors';

/** A shard as ListShards describes it. */
export interface ShardDescription {
  shardId: string;
  parentShardIds: string[];
  /** The shard has an ending sequence number: a reshard closed it. */
  closed: boolean;
}

export interface ShardLeaseRow {
  stream: string;
  shardId: string;
  parentShardIds: string[];
  initialPosition: InitialPosition;
  initialTimestamp: Date | null;
  owner: string | null;
  leaseCounter: string;
  leaseExpiresAt: Date | null;
  /** The lease has expired by the database clock. */
  expired: boolean;
  checkpoint: string | null;
  finishedAt: Date | null;
}

/** A lease this process holds. `counter` is the fencing token every write is checked against. */
export interface HeldLease {
  stream: string;
  shardId: string;
  owner: string;
  counter: string;
}

/** The exact range the next object of a shard covers, recorded before the object is written. */
export interface WriteIntent {
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  objectKey: string;
  recordCount: number;
}

const mapRow = (r: Record<string, unknown>): ShardLeaseRow => ({
  stream: r.stream_name as string,
  shardId: r.shard_id as string,
  parentShardIds: (r.parent_shard_ids as string[]) ?? [],
  initialPosition: r.initial_position as InitialPosition,
  initialTimestamp: (r.initial_timestamp as Date | null) ?? null,
  owner: (r.owner as string | null) ?? null,
  leaseCounter: String(r.lease_counter),
  leaseExpiresAt: (r.lease_expires_at as Date | null) ?? null,
  expired: Boolean(r.expired),
  checkpoint: (r.checkpoint_sequence_number as string | null) ?? null,
  finishedAt: (r.finished_at as Date | null) ?? null,
});

const LEASE_COLUMNS = `stream_name, shard_id, parent_shard_ids, initial_position, initial_timestamp, owner, lease_counter,
  lease_expires_at, (lease_expires_at IS NULL OR lease_expires_at < now()) AS expired, checkpoint_sequence_number, finished_at`;

/**
 * Shard leases and checkpoints in Postgres, the way the KCL keeps them in DynamoDB. Time is the database's
 * (`now()`), so instances need no synchronised clocks. Every write made on behalf of a lease is fenced by its
 * owner and counter: once another instance takes the lease over, the old holder can change nothing.
 */
export class LeaseRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * One statement, on `runner`'s connection inside `tx`, else on any pooled connection of the data source (a
   * statement outside `tx` stands alone: the repository keeps no session state, and its advisory lock is
   * transaction-scoped). Returns the rows and the affected count.
   */
  private async run(sql: string, params: unknown[], runner?: QueryRunner): Promise<{ rows: Record<string, unknown>[]; rowCount: number }> {
    const q = runner ?? this.dataSource.createQueryRunner();
    try {
      const result = await q.query(sql, params, true);
      return { rows: result.records as Record<string, unknown>[], rowCount: result.affected ?? 0 };
    } finally {
      if (!runner) await q.release();
    }
  }

  /** Runs `fn` in one transaction on one connection (the fencing `FOR UPDATE` and `pg_advisory_xact_lock` need it). */
  private async tx<T>(fn: (q: QueryRunner) => Promise<T>): Promise<T> {
    const q = this.dataSource.createQueryRunner();
    try {
      await q.connect();
      await q.startTransaction();
      const out = await fn(q);
      await q.commitTransaction();
      return out;
    } catch (error) {
      if (q.isTransactionActive) await q.rollbackTransaction().catch(() => undefined);
      throw error;
    } finally {
      await q.release();
    }
  }

  /**
   * Adds a lease for every shard not yet known. For a stream seen for the first time, shards start at the
   * configured initial position (with LATEST, shards already closed are skipped: marked finished); shards that
   * appear later (children of a reshard) always start at TRIM_HORIZON so nothing between reshard and discovery
   * is missed. Returns the number of shards added.
   */
  async syncShards(
    stream: string,
    shards: ShardDescription[],
    initial: { type: InitialPosition; timestamp?: Date },
  ): Promise<number> {
    return this.tx(async (q) => {
      await this.run('SELECT pg_advisory_xact_lock(hashtext($1))', [`flux-archiver:${stream}`], q);
      const known = await this.run('SELECT shard_id FROM archiver_shard_lease WHERE stream_name = $1', [stream], q);
      const knownIds = new Set(known.rows.map((r) => r.shard_id as string));
      const firstTime = knownIds.size === 0;
      let added = 0;
      for (const s of shards) {
        if (knownIds.has(s.shardId)) continue;
        const position: InitialPosition = firstTime ? initial.type : 'TRIM_HORIZON';
        const finished = firstTime && initial.type === 'LATEST' && s.closed;
        await this.run(
          `INSERT INTO archiver_shard_lease (stream_name, shard_id, parent_shard_ids, initial_position, initial_timestamp, finished_at)
           VALUES ($1, $2, $3, $4, $5, CASE WHEN $6::boolean THEN now() END)
           ON CONFLICT ON CONSTRAINT pk_archiver_shard_lease DO NOTHING`,
          [stream, s.shardId, s.parentShardIds, position, position === 'AT_TIMESTAMP' ? initial.timestamp ?? null : null, finished],
          q,
        );
        added++;
      }
      return added;
    });
  }

  async list(stream: string): Promise<ShardLeaseRow[]> {
    const { rows } = await this.run(
      `SELECT ${LEASE_COLUMNS} FROM archiver_shard_lease WHERE stream_name = $1 ORDER BY shard_id`,
      [stream],
    );
    return rows.map(mapRow);
  }

  /**
   * Takes the lease of an unfinished shard when it is free, expired, or recorded under this same owner name (a
   * restart of this instance). Bumps the counter so any previous holder is fenced out.
   */
  async acquire(stream: string, shardId: string, owner: string, durationMs: number): Promise<{ lease: HeldLease; row: ShardLeaseRow } | null> {
    const { rows } = await this.run(
      `UPDATE archiver_shard_lease
          SET owner = $3, lease_counter = lease_counter + 1, heartbeat_at = now(),
              lease_expires_at = now() + make_interval(secs => $4::double precision / 1000)
        WHERE stream_name = $1 AND shard_id = $2 AND finished_at IS NULL
          AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now() OR owner = $3)
        RETURNING ${LEASE_COLUMNS}`,
      [stream, shardId, owner, durationMs],
    );
    if (rows.length === 0) return null;
    const row = mapRow(rows[0]);
    return { lease: { stream, shardId, owner, counter: row.leaseCounter }, row };
  }

  /** Extends a held lease; false when it was taken over. */
  async renew(lease: HeldLease, durationMs: number): Promise<boolean> {
    const { rowCount } = await this.run(
      `UPDATE archiver_shard_lease
          SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => $5::double precision / 1000)
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4`,
      [lease.stream, lease.shardId, lease.owner, lease.counter, durationMs],
    );
    return rowCount === 1;
  }

  /** Gives a lease back so another instance may take it at once. */
  async release(lease: HeldLease): Promise<void> {
    await this.run(
      `UPDATE archiver_shard_lease SET owner = NULL, lease_expires_at = NULL
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4`,
      [lease.stream, lease.shardId, lease.owner, lease.counter],
    );
  }

  async loadIntent(stream: string, shardId: string): Promise<WriteIntent | null> {
    const { rows } = await this.run(
      `SELECT first_sequence_number, last_sequence_number, object_key, record_count
         FROM archiver_intent WHERE stream_name = $1 AND shard_id = $2`,
      [stream, shardId],
    );
    if (rows.length === 0) return null;
    return {
      firstSequenceNumber: rows[0].first_sequence_number as string,
      lastSequenceNumber: rows[0].last_sequence_number as string,
      objectKey: rows[0].object_key as string,
      recordCount: rows[0].record_count as number,
    };
  }

  private async lockHeld(q: QueryRunner, lease: HeldLease): Promise<{ checkpoint: string | null }> {
    const { rows } = await this.run(
      `SELECT checkpoint_sequence_number FROM archiver_shard_lease
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4 FOR UPDATE`,
      [lease.stream, lease.shardId, lease.owner, lease.counter],
      q,
    );
    if (rows.length === 0) throw new LeaseLostError(lease.stream, lease.shardId);
    return { checkpoint: (rows[0].checkpoint_sequence_number as string | null) ?? null };
  }

  /** Records the range of the object about to be written (fenced). At most one intent per shard exists. */
  async recordIntent(lease: HeldLease, intent: WriteIntent): Promise<void> {
    await this.tx(async (q) => {
      await this.lockHeld(q, lease);
      await this.run(
        `INSERT INTO archiver_intent (stream_name, shard_id, first_sequence_number, last_sequence_number, object_key, record_count, lease_counter)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [lease.stream, lease.shardId, intent.firstSequenceNumber, intent.lastSequenceNumber, intent.objectKey, intent.recordCount, lease.counter],
        q,
      );
    });
  }

  /**
   * Advances the checkpoint to the last sequence number of a durable, announced object and clears its intent, in
   * one fenced transaction. Never moves a checkpoint backwards.
   */
  async commit(lease: HeldLease, lastSequenceNumber: string): Promise<void> {
    await this.tx(async (q) => {
      const { checkpoint } = await this.lockHeld(q, lease);
      if (checkpoint !== null && BigInt(checkpoint) > BigInt(lastSequenceNumber)) {
        throw new Error(`checkpoint of ${lease.stream}/${lease.shardId} would move back from ${checkpoint} to ${lastSequenceNumber}`);
      }
      // Equal: a retry of a commit whose reply was lost. Idempotent.
      await this.run(
        `UPDATE archiver_shard_lease SET checkpoint_sequence_number = $3, checkpointed_at = now()
          WHERE stream_name = $1 AND shard_id = $2`,
        [lease.stream, lease.shardId, lastSequenceNumber],
        q,
      );
      await this.run('DELETE FROM archiver_intent WHERE stream_name = $1 AND shard_id = $2', [lease.stream, lease.shardId], q);
    });
  }

  /** Marks a closed shard fully archived and frees its lease: its children may now be read. */
  async finish(lease: HeldLease): Promise<void> {
    await this.tx(async (q) => {
      await this.lockHeld(q, lease);
      await this.run(
        `UPDATE archiver_shard_lease SET finished_at = now(), owner = NULL, lease_expires_at = NULL
          WHERE stream_name = $1 AND shard_id = $2`,
        [lease.stream, lease.shardId],
        q,
      );
    });
  }
}

/**
 * Shards that may be read now: unfinished, and every parent finished (or no longer known: trimmed past retention).
 * This keeps per-key order across a reshard: a child is read only after its parents are fully archived.
 */
export function readableShards(rows: ShardLeaseRow[]): ShardLeaseRow[] {
  const byId = new Map(rows.map((r) => [r.shardId, r]));
  return rows.filter((r) => r.finishedAt === null && r.parentShardIds.every((p) => !byId.has(p) || byId.get(p)!.finishedAt !== null));
}
