import type { Pool } from 'pg';
import type { RecordVersion } from './version';

/** The last version a consumer applied for one key (kept after a delete too, so an older upsert cannot resurrect it). */
export interface StoredVersion {
  version: RecordVersion;
  /** The replay that delivered it; absent when it was a live record. */
  replayId?: string;
}

export interface VersionStore {
  get(key: string): Promise<StoredVersion | undefined>;
  put(key: string, v: StoredVersion): Promise<void>;
  size(): Promise<number>;
}

/** In-process versions: tests, and consumers whose own state lives in memory too (both are lost together). */
export class MemoryVersionStore implements VersionStore {
  private readonly versions = new Map<string, StoredVersion>();

  async get(key: string): Promise<StoredVersion | undefined> {
    const v = this.versions.get(key);
    return v && { version: { ...v.version }, ...(v.replayId !== undefined ? { replayId: v.replayId } : {}) };
  }

  async put(key: string, v: StoredVersion): Promise<void> {
    this.versions.set(key, { version: { ...v.version }, ...(v.replayId !== undefined ? { replayId: v.replayId } : {}) });
  }

  async size(): Promise<number> {
    return this.versions.size;
  }
}

export interface PostgresVersionStoreOptions {
  /** Names this consumer's rows, so several consumers can share one table. */
  consumer: string;
  /** Table name, optionally schema-qualified. */
  table?: string;
}

interface VersionRow {
  stream: string;
  shard_id: string;
  sequence_number: string;
  sub_sequence_number: number;
  arrival_time: Date;
  replay_id: string | null;
}

/**
 * Versions in Postgres: one row per (consumer, key), replaced in place by one upsert. A crash between applying a
 * record and recording its version re-applies that record on restart (harmless for last-writer-wins state); it is
 * never lost.
 */
export class PostgresVersionStore implements VersionStore {
  private readonly table: string;
  private readonly constraint: string;

  constructor(
    private readonly pool: Pool,
    private readonly options: PostgresVersionStoreOptions,
  ) {
    const table = options.table ?? 'flux_consumer_versions';
    // The table name is spliced into SQL: allow identifiers only.
    if (!/^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)?$/.test(table)) throw new Error(`PostgresVersionStore: table "${table}" is not a lower-case SQL identifier`);
    if (!options.consumer) throw new Error('PostgresVersionStore: consumer name is required');
    this.table = table;
    this.constraint = `pk_${table.replace('.', '_')}`;
  }

  async ensureSchema(): Promise<void> {
    await this.pool.query(`
      CREATE TABLE IF NOT EXISTS ${this.table} (
        consumer text NOT NULL,
        key text NOT NULL,
        stream text NOT NULL,
        shard_id text NOT NULL,
        sequence_number text NOT NULL,
        sub_sequence_number integer NOT NULL,
        arrival_time timestamptz NOT NULL,
        replay_id text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ${this.constraint} PRIMARY KEY (consumer, key)
      )`);
  }

  async get(key: string): Promise<StoredVersion | undefined> {
    const res = await this.pool.query<VersionRow>(
      `SELECT stream, shard_id, sequence_number, sub_sequence_number, arrival_time, replay_id FROM ${this.table} WHERE consumer = $1 AND key = $2`,
      [this.options.consumer, key],
    );
    const row = res.rows[0];
    if (!row) return undefined;
    const version: RecordVersion = {
      stream: row.stream,
      shardId: row.shard_id,
      sequenceNumber: row.sequence_number,
      subSequenceNumber: row.sub_sequence_number,
      arrivalTime: row.arrival_time.getTime(),
    };
    return row.replay_id === null ? { version } : { version, replayId: row.replay_id };
  }

  async put(key: string, v: StoredVersion): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.table} (consumer, key, stream, shard_id, sequence_number, sub_sequence_number, arrival_time, replay_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (consumer, key) DO UPDATE SET stream = EXCLUDED.stream, shard_id = EXCLUDED.shard_id,
         sequence_number = EXCLUDED.sequence_number, sub_sequence_number = EXCLUDED.sub_sequence_number,
         arrival_time = EXCLUDED.arrival_time, replay_id = EXCLUDED.replay_id, updated_at = now()`,
      [
        this.options.consumer,
        key,
        v.version.stream,
        v.version.shardId,
        v.version.sequenceNumber,
        v.version.subSequenceNumber,
        new Date(v.version.arrivalTime),
        v.replayId ?? null,
      ],
    );
  }

  async size(): Promise<number> {
    const res = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table} WHERE consumer = $1`, [this.options.consumer]);
    return Number(res.rows[0].n);
  }
}
