import type { InitialPosition } from '@flux-capacitor/config';
import type { ArchiveFieldColumn } from '@flux-capacitor/contracts';
import type { DataSource, QueryRunner } from 'typeorm';
import { IntentConflictError, LeaseLostError } from '../archiver.errors';

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
  /** An instance asked for this lease and its request has not expired: it is handed over to it (and reserved for it). */
  handoffTo: string | null;
}

/** A lease this process holds. `counter` is the fencing token every write is checked against. */
export interface HeldLease {
  stream: string;
  shardId: string;
  owner: string;
  counter: string;
}

/** One shard's part of an object about to be written: its exact range, recorded before the object is written. */
export interface IntentRange {
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
  recordCount: number;
}

/**
 * What the next object of one or more shards will hold, recorded before it is written: its key and each shard's
 * exact range. One intent row per shard, all with the same key.
 */
export interface WriteIntent {
  stream: string;
  objectKey: string;
  ranges: IntentRange[];
  /** The object's field columns (none: empty), so that a recovery rewrites it with the ones it was announced with. */
  fields: ArchiveFieldColumn[];
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
  handoffTo: (r.handoff_to as string | null) ?? null,
});

const LEASE_COLUMNS = `stream_name, shard_id, parent_shard_ids, initial_position, initial_timestamp, owner, lease_counter,
  lease_expires_at, (lease_expires_at IS NULL OR lease_expires_at < now()) AS expired, checkpoint_sequence_number, finished_at,
  CASE WHEN handoff_expires_at > now() THEN handoff_requested_by END AS handoff_to`;

/** What the lease holder reports of its shard with each renewal. */
export interface ShardStatusReport {
  millisBehindLatest: number;
  oldestUnarchivedAgeMs: number;
  retentionHours: number | null;
}

/** What a renewal found. */
export type RenewOutcome = 'held' | 'lost' | 'hand-off';

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
   * restart of this instance), and not reserved for another instance by a hand-off it asked for (until the request
   * expires). Bumps the counter so any previous holder is fenced out; a request of this instance is fulfilled.
   */
  async acquire(stream: string, shardId: string, owner: string, durationMs: number): Promise<{ lease: HeldLease; row: ShardLeaseRow } | null> {
    const { rows } = await this.run(
      `UPDATE archiver_shard_lease
          SET owner = $3, lease_counter = lease_counter + 1, heartbeat_at = now(),
              lease_expires_at = now() + make_interval(secs => $4::double precision / 1000),
              -- The previous holder's report describes its buffer, not ours: none until our first heartbeat.
              millis_behind_latest = NULL, oldest_unarchived_at = NULL, status_updated_at = NULL,
              handoff_requested_by = CASE WHEN handoff_requested_by = $3 OR handoff_expires_at <= now() THEN NULL ELSE handoff_requested_by END
        WHERE stream_name = $1 AND shard_id = $2 AND finished_at IS NULL
          AND (owner IS NULL OR lease_expires_at IS NULL OR lease_expires_at < now() OR owner = $3)
          AND (handoff_requested_by IS NULL OR handoff_requested_by = $3 OR handoff_expires_at <= now())
        RETURNING ${LEASE_COLUMNS}`,
      [stream, shardId, owner, durationMs],
    );
    if (rows.length === 0) return null;
    const row = mapRow(rows[0]);
    return { lease: { stream, shardId, owner, counter: row.leaseCounter }, row };
  }

  /** Extends a held lease: `lost` when it was taken over, `hand-off` when another instance asked for it. */
  async renew(lease: HeldLease, durationMs: number, status?: ShardStatusReport): Promise<RenewOutcome> {
    // The holder's view of the shard rides along with the heartbeat, so every instance can read every shard's status.
    const { rows } = await this.run(
      `UPDATE archiver_shard_lease
          SET heartbeat_at = now(), lease_expires_at = now() + make_interval(secs => $5::double precision / 1000),
              millis_behind_latest = CASE WHEN $6::boolean THEN $7::bigint ELSE millis_behind_latest END,
              -- A point in time, not the age: a reader computes the age, which keeps growing if this holder dies.
              oldest_unarchived_at = CASE WHEN $6::boolean THEN now() - make_interval(secs => $8::double precision / 1000) ELSE oldest_unarchived_at END,
              retention_hours = CASE WHEN $6::boolean THEN $9::integer ELSE retention_hours END,
              status_updated_at = CASE WHEN $6::boolean THEN now() ELSE status_updated_at END
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4
        RETURNING handoff_requested_by IS NOT NULL AND handoff_requested_by <> owner AND handoff_expires_at > now() AS handoff`,
      [
        lease.stream,
        lease.shardId,
        lease.owner,
        lease.counter,
        durationMs,
        status !== undefined,
        status ? Math.round(status.millisBehindLatest) : null,
        status ? Math.round(status.oldestUnarchivedAgeMs) : null,
        status?.retentionHours ?? null,
      ],
    );
    if (rows.length === 0) return 'lost';
    return rows[0].handoff ? 'hand-off' : 'held';
  }

  /**
   * Asks `holder` to hand a live lease over to `requester` (rebalancing). The holder sees it at its next renewal,
   * writes and commits the shard's buffered rows and releases the lease, which stays reserved for the requester for
   * `durationMs`. False when the lease changed meanwhile or someone else asked first.
   */
  async requestHandoff(stream: string, shardId: string, holder: string, requester: string, durationMs: number): Promise<boolean> {
    const { rows } = await this.run(
      `UPDATE archiver_shard_lease
          SET handoff_requested_by = $4, handoff_expires_at = now() + make_interval(secs => $5::double precision / 1000)
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_expires_at > now() AND finished_at IS NULL
          AND (handoff_requested_by IS NULL OR handoff_expires_at <= now())
        RETURNING shard_id`,
      [stream, shardId, holder, requester, durationMs],
    );
    return rows.length === 1;
  }

  /** Gives a lease back so another instance may take it at once (the one that asked for it, if any). */
  async release(lease: HeldLease): Promise<void> {
    await this.run(
      `UPDATE archiver_shard_lease SET owner = NULL, lease_expires_at = NULL
        WHERE stream_name = $1 AND shard_id = $2 AND owner = $3 AND lease_counter = $4`,
      [lease.stream, lease.shardId, lease.owner, lease.counter],
    );
  }

  /** The committed checkpoint of a shard. */
  async checkpointOf(stream: string, shardId: string): Promise<string | null> {
    const { rows } = await this.run('SELECT checkpoint_sequence_number FROM archiver_shard_lease WHERE stream_name = $1 AND shard_id = $2', [stream, shardId]);
    return (rows[0]?.checkpoint_sequence_number as string | null | undefined) ?? null;
  }

  /** The key of the object a leftover intent of this shard belongs to, or null when the shard has none. */
  async intentKeyOf(stream: string, shardId: string): Promise<string | null> {
    const { rows } = await this.run('SELECT object_key FROM archiver_intent WHERE stream_name = $1 AND shard_id = $2', [stream, shardId]);
    return rows.length === 0 ? null : (rows[0].object_key as string);
  }

  /** Every shard range of the intent of one object; null when it was committed (or never recorded). */
  async loadIntent(stream: string, objectKey: string): Promise<WriteIntent | null> {
    const { rows } = await this.run(
      `SELECT shard_id, first_sequence_number, last_sequence_number, record_count, field_columns
         FROM archiver_intent WHERE stream_name = $1 AND object_key = $2 ORDER BY shard_id`,
      [stream, objectKey],
    );
    if (rows.length === 0) return null;
    return {
      stream,
      objectKey,
      ranges: rows.map((r) => ({
        shardId: r.shard_id as string,
        firstSequenceNumber: r.first_sequence_number as string,
        lastSequenceNumber: r.last_sequence_number as string,
        recordCount: r.record_count as number,
      })),
      // NULL: none, or an intent recorded before field columns existed.
      fields: (rows[0].field_columns as ArchiveFieldColumn[] | null) ?? [],
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

  /**
   * Records the ranges of the object about to be written, in one transaction fenced by the lease of every shard in
   * it (LeaseLostError names the first shard no longer held). A shard has at most one intent: its key is the row's.
   */
  async recordIntent(leases: HeldLease[], intent: WriteIntent): Promise<void> {
    const byShard = new Map(leases.map((l) => [l.shardId, l]));
    // Locks in one order everywhere, so two transactions never wait on each other in a cycle.
    const ranges = [...intent.ranges].sort((a, b) => a.shardId.localeCompare(b.shardId));
    await this.tx(async (q) => {
      for (const r of ranges) {
        const lease = byShard.get(r.shardId);
        if (!lease) throw new Error(`no lease given for ${intent.stream}/${r.shardId}`);
        await this.lockHeld(q, lease);
        const inserted = await this.run(
          `INSERT INTO archiver_intent (stream_name, shard_id, first_sequence_number, last_sequence_number, object_key, record_count, lease_counter, field_columns)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
           ON CONFLICT ON CONSTRAINT pk_archiver_intent DO NOTHING RETURNING shard_id`,
          [
            intent.stream,
            r.shardId,
            r.firstSequenceNumber,
            r.lastSequenceNumber,
            intent.objectKey,
            r.recordCount,
            lease.counter,
            intent.fields.length > 0 ? JSON.stringify(intent.fields) : null,
          ],
          q,
        );
        if (inserted.rows.length === 0) {
          // Recorded already: a retry whose first reply was lost. Anything else is another object's intent.
          const { rows } = await this.run(
            'SELECT object_key, last_sequence_number FROM archiver_intent WHERE stream_name = $1 AND shard_id = $2',
            [intent.stream, r.shardId],
            q,
          );
          if (rows[0]?.object_key !== intent.objectKey || rows[0]?.last_sequence_number !== r.lastSequenceNumber) {
            throw new IntentConflictError(intent.stream, r.shardId, String(rows[0]?.object_key), intent.objectKey);
          }
        }
      }
    });
  }

  /**
   * Commits a durable, announced object: advances the checkpoint of every shard in its intent to the end of the
   * shard's range and deletes the intent, in one transaction. Not fenced by leases, on purpose: the intent fixes
   * each checkpoint's next value, nobody can advance a shard while its intent exists (a new intent needs the row
   * gone), so the writer, a new lease holder recovering the intent, or both at once, all commit the same thing.
   * Returns the ranges committed; none when someone else committed the intent first.
   */
  async commitIntent(stream: string, objectKey: string): Promise<IntentRange[]> {
    return this.tx(async (q) => {
      const { rows } = await this.run(
        `SELECT shard_id, first_sequence_number, last_sequence_number, record_count
           FROM archiver_intent WHERE stream_name = $1 AND object_key = $2 ORDER BY shard_id FOR UPDATE`,
        [stream, objectKey],
        q,
      );
      for (const r of rows) {
        // A checkpoint never moves back (a second commit of the same intent finds no rows at all).
        await this.run(
          `UPDATE archiver_shard_lease SET checkpoint_sequence_number = $3, checkpointed_at = now()
            WHERE stream_name = $1 AND shard_id = $2
              AND (checkpoint_sequence_number IS NULL OR checkpoint_sequence_number::numeric < $3::numeric)`,
          [stream, r.shard_id, r.last_sequence_number],
          q,
        );
      }
      await this.run('DELETE FROM archiver_intent WHERE stream_name = $1 AND object_key = $2', [stream, objectKey], q);
      return rows.map((r) => ({
        shardId: r.shard_id as string,
        firstSequenceNumber: r.first_sequence_number as string,
        lastSequenceNumber: r.last_sequence_number as string,
        recordCount: r.record_count as number,
      }));
    });
  }

  /** Marks a closed shard fully archived and frees its lease: its children may now be read. */
  async finish(lease: HeldLease): Promise<void> {
    await this.tx(async (q) => {
      await this.lockHeld(q, lease);
      const { rows } = await this.run('SELECT 1 FROM archiver_intent WHERE stream_name = $1 AND shard_id = $2', [lease.stream, lease.shardId], q);
      if (rows.length > 0) throw new Error(`${lease.stream}/${lease.shardId} still has a write intent; it cannot be finished`);
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
