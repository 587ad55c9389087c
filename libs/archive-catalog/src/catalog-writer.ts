import { Logger } from '@nestjs/common';
import {
  FluxError,
  archiveObjectWrittenV1,
  archiveObjectWrittenV2,
  compareSequenceNumbers,
  upgradeArchiveObjectWritten,
  type ArchiveObjectWritten,
} from '@flux-capacitor/contracts';
import type { z } from 'zod';
import type { DataSource, EntityManager } from 'typeorm';
import type { CatalogSchemaField, CatalogStreamFormat } from '@flux-capacitor/persistence';
import type { RegisterObjectResult } from './catalog.types';
import { mergeSchema, schemaFingerprint, type ObservedSchema } from './schema/schema-inference';

export interface RecordSchemaResult {
  /** the stream's schema version after the merge */
  version: number;
  /** true when the batch made a new version (a field, type, nullability or the format changed) */
  versionAdded: boolean;
}

/** The folder of an object URI (`.../dt=YYYY-MM-DD/hour=HH`): the location of its Hive partition. */
export function partitionLocationOf(objectUri: string): string {
  const slash = objectUri.lastIndexOf('/');
  // The message is wrong, not the world: dead-lettered at once rather than retried.
  if (slash <= 0) throw new FluxError('invalid-input', 'OBJECT_URI_INVALID', `object URI "${objectUri}" has no folder`, { details: { objectUri } });
  return objectUri.slice(0, slash);
}

/** The first instant (UTC) of a partition's hour. */
export function partitionStart(dt: string, hour: number): Date {
  return new Date(`${dt}T${String(hour).padStart(2, '0')}:00:00.000Z`);
}

/** A version-1 announcement (one shard, its range at the top level). */
export type ArchiveObjectWrittenV1 = z.infer<typeof archiveObjectWrittenV1>;

/**
 * An announcement in the current shape: version 2 as is, version 1 (one shard, its range at the top level, from
 * archivers of the previous release or old tooling) upgraded. Anything else fails with version 2's parse error.
 */
function parseAnnouncement(payload: unknown): ArchiveObjectWritten {
  const v2 = archiveObjectWrittenV2.safeParse(payload);
  if (v2.success) return v2.data;
  const v1 = archiveObjectWrittenV1.safeParse(payload);
  if (v1.success) return upgradeArchiveObjectWritten(v1.data);
  throw v2.error;
}

/** Write side of the catalog: registers archived objects (idempotently) and the partitions they open. */
export class CatalogWriter {
  private readonly logger = new Logger(CatalogWriter.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an archived object and the sequence range of each shard it holds, in one transaction. Idempotent:
   * registering a URI the catalog already holds changes nothing and reports `objectAdded: false`. Creates the
   * stream and the partition when they are new. Takes the current (version 2) announcement; a version-1 payload is
   * upgraded first.
   */
  async registerObject(payload: ArchiveObjectWritten | ArchiveObjectWrittenV1, manager?: EntityManager): Promise<RegisterObjectResult> {
    const o = parseAnnouncement(payload);
    const invalid = (what: string) =>
      new FluxError('invalid-input', 'OBJECT_RANGE_INVALID', `${o.objectUri}: ${what}`, { details: { objectUri: o.objectUri } });
    for (const r of o.shards) {
      if (compareSequenceNumbers(r.firstSequenceNumber, r.lastSequenceNumber) > 0) throw invalid(`first sequence number is after the last (shard ${r.shardId})`);
    }
    if (o.layout === 1 && o.shards.length !== 1) throw invalid(`a layout-1 object holds one shard, not ${o.shards.length}`);
    if (o.layout === 1 && o.fields?.length) throw invalid('a layout-1 object holds no field columns');
    if (o.shards.reduce((n, r) => n + r.recordCount, 0) !== o.recordCount) throw invalid(`the shards' record counts do not add up to the object's ${o.recordCount}`);
    if (Date.parse(o.firstArrivalTime) > Date.parse(o.lastArrivalTime)) throw invalid('first arrival time is after the last');
    const location = partitionLocationOf(o.objectUri);
    const partition = { stream: o.stream, dt: o.dt, hour: o.hour, location };

    return this.transaction(manager, async (m) => {
      const existing: unknown[] = await m.query(`SELECT 1 FROM catalog_object WHERE uri = $1`, [o.objectUri]);
      if (existing.length > 0) return { objectAdded: false, partitionAdded: false, partition };

      await m.query(`INSERT INTO catalog_stream (name) VALUES ($1) ON CONFLICT ON CONSTRAINT pk_catalog_stream DO NOTHING`, [
        o.stream,
      ]);
      const newPartition: unknown[] = await m.query(
        `INSERT INTO catalog_partition (stream, dt, hour, location, starts_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ON CONSTRAINT pk_catalog_partition DO NOTHING
         RETURNING dt`,
        [o.stream, o.dt, o.hour, location, partitionStart(o.dt, o.hour)],
      );
      const newObject: unknown[] = await m.query(
        `INSERT INTO catalog_object (uri, stream, layout, first_arrival_time, last_arrival_time, record_count, bytes, dt, hour, field_columns)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT ON CONSTRAINT pk_catalog_object DO NOTHING
         RETURNING uri`,
        [
          o.objectUri,
          o.stream,
          o.layout,
          o.firstArrivalTime,
          o.lastArrivalTime,
          o.recordCount,
          o.bytes,
          o.dt,
          o.hour,
          // NULL, not [], for none: the column says "has field columns" by being set.
          o.fields && o.fields.length > 0 ? JSON.stringify(o.fields) : null,
        ],
      );
      // A concurrent registration of the same URI won the insert: it owns the partition and the ranges too.
      if (newObject.length === 0) return { objectAdded: false, partitionAdded: false, partition };
      await m.query(
        `INSERT INTO catalog_object_shard (uri, shard_id, stream, first_sequence_number, last_sequence_number, record_count)
         SELECT $1, r.shard_id, $2, r.first_sequence_number, r.last_sequence_number, r.record_count
           FROM unnest($3::text[], $4::text[], $5::text[], $6::bigint[]) AS r(shard_id, first_sequence_number, last_sequence_number, record_count)`,
        [
          o.objectUri,
          o.stream,
          o.shards.map((r) => r.shardId),
          o.shards.map((r) => r.firstSequenceNumber),
          o.shards.map((r) => r.lastSequenceNumber),
          o.shards.map((r) => r.recordCount),
        ],
      );
      await m.query(`UPDATE catalog_stream SET updated_at = now() WHERE name = $1`, [o.stream]);
      const partitionAdded = newPartition.length > 0;
      this.logger.log({ msg: 'object catalogued', stream: o.stream, uri: o.objectUri, layout: o.layout, shards: o.shards.length, records: o.recordCount, partitionAdded });
      return { objectAdded: true, partitionAdded, partition };
    });
  }

  /**
   * Merges a batch's observed schema (usually one object's records) into the stream's schema. Writes version
   * N+1 when paths, types, nullability or format change; otherwise widens the latest version's first/last seen.
   * With `objectUri`, marks that object as inferred. Serialised per stream by a row lock.
   */
  async recordSchema(stream: string, observed: ObservedSchema, objectUri?: string, manager?: EntityManager): Promise<RecordSchemaResult> {
    return this.transaction(manager, async (m) => {
      await m.query(`INSERT INTO catalog_stream (name) VALUES ($1) ON CONFLICT ON CONSTRAINT pk_catalog_stream DO NOTHING`, [
        stream,
      ]);
      await m.query(`SELECT name FROM catalog_stream WHERE name = $1 FOR UPDATE`, [stream]);
      const latest: { version: number; format: CatalogStreamFormat; fields: CatalogSchemaField[]; fingerprint: string }[] =
        await m.query(
          `SELECT version, format, fields, fingerprint FROM catalog_schema_version
            WHERE stream = $1 ORDER BY version DESC LIMIT 1`,
          [stream],
        );
      const current = latest[0] ?? null;
      const merged = mergeSchema(current, observed);
      const fingerprint = schemaFingerprint(merged);
      let version: number;
      let versionAdded: boolean;
      if (current && current.fingerprint === fingerprint) {
        version = current.version;
        versionAdded = false;
        await m.query(
          `UPDATE catalog_schema_version
              SET fields = $3::jsonb, first_seen = least(first_seen, $4::timestamptz), last_seen = greatest(last_seen, $5::timestamptz)
            WHERE stream = $1 AND version = $2`,
          [stream, version, JSON.stringify(merged.fields), observed.firstSeen, observed.lastSeen],
        );
      } else {
        version = (current?.version ?? 0) + 1;
        versionAdded = true;
        await m.query(
          `INSERT INTO catalog_schema_version (stream, version, format, fields, fingerprint, first_seen, last_seen)
           VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7)`,
          [stream, version, merged.format, JSON.stringify(merged.fields), fingerprint, observed.firstSeen, observed.lastSeen],
        );
      }
      await m.query(`UPDATE catalog_stream SET format = $2, updated_at = now() WHERE name = $1`, [stream, merged.format]);
      if (objectUri) await m.query(`UPDATE catalog_object SET schema_version = $2 WHERE uri = $1`, [objectUri, version]);
      if (versionAdded) this.logger.log({ msg: 'schema version added', stream, version, fields: merged.fields.length });
      return { version, versionAdded };
    });
  }

  /**
   * Whether an object should be read (again): its records are not merged into the stream schema yet (a crash or
   * retry in between), or it was marked corrupt (a later read that succeeds clears the mark).
   */
  async objectNeedsSchema(uri: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query(
      `SELECT 1 FROM catalog_object WHERE uri = $1 AND (schema_version IS NULL OR corrupt_reason IS NOT NULL)`,
      [uri],
    );
    return rows.length > 0;
  }

  /** Partitions of a stream the configured metastores have not accepted yet, oldest first. */
  async unsyncedPartitions(stream: string, manager?: EntityManager): Promise<{ dt: string; hour: number; location: string }[]> {
    const rows: { dt: string; hour: number; location: string }[] = await (manager ?? this.dataSource.manager).query(
      `SELECT dt, hour, location FROM catalog_partition WHERE stream = $1 AND synced_at IS NULL ORDER BY starts_at`,
      [stream],
    );
    return rows.map((r) => ({ dt: r.dt, hour: Number(r.hour), location: r.location }));
  }

  async markPartitionsSynced(stream: string, partitions: { dt: string; hour: number }[], manager?: EntityManager): Promise<void> {
    if (partitions.length === 0) return;
    await (manager ?? this.dataSource.manager).query(
      `UPDATE catalog_partition p SET synced_at = now()
         FROM unnest($2::text[], $3::smallint[]) AS s(dt, hour)
        WHERE p.stream = $1 AND p.dt = s.dt AND p.hour = s.hour`,
      [stream, partitions.map((p) => p.dt), partitions.map((p) => p.hour)],
    );
  }

  /** Marks an object unreadable (ArchiveObjectCorruptError), keeping the time it was first found so. */
  async markObjectCorrupt(uri: string, reason: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE catalog_object SET corrupt_reason = $2, corrupt_at = coalesce(corrupt_at, now()) WHERE uri = $1`,
      [uri, reason],
    );
  }

  /** Clears the corrupt mark of an object read successfully since (it was replaced, or the mark predates the fix). */
  async clearObjectCorrupt(uri: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).query(
      `UPDATE catalog_object SET corrupt_reason = NULL, corrupt_at = NULL WHERE uri = $1 AND corrupt_reason IS NOT NULL`,
      [uri],
    );
  }

  /**
   * Records a compaction's output before it is uploaded, as a retired object (`compacted_from` set, no `replaced_by`):
   * readers and rebuilds skip it like any tombstone, and if the compaction dies before replaceObjects swaps it in,
   * its file (uploaded or not) is deleted with the other retired files after the grace. False if the URI is taken.
   */
  async reserveObject(output: ArchiveObjectWritten, replaces: number, manager?: EntityManager): Promise<boolean> {
    return this.transaction(manager, async (m) => {
      const { objectAdded } = await this.registerObject(output, m);
      if (!objectAdded) return false;
      await m.query(`UPDATE catalog_object SET retired_at = now(), compacted_from = $2 WHERE uri = $1`, [output.objectUri, replaces]);
      return true;
    });
  }

  /**
   * Swaps reserved compaction outputs in for the objects they replace, in one transaction: the outputs become live
   * (with the newest schema version of `retired`), `retired` are retired (tombstones: readers skip them, and
   * registerObject finds the URI taken, so a late announcement cannot bring one back), and with `partition` its
   * location moves to the outputs' folder, to be synced to the metastores again. Returns false, changing nothing,
   * when one of `retired` is gone or retired already (another compaction won) or an output is not a pending
   * reservation.
   */
  async replaceObjects(
    stream: string,
    outputs: string[],
    retired: string[],
    partition?: { dt: string; hour: number; location: string },
    manager?: EntityManager,
  ): Promise<boolean> {
    if (retired.length === 0 || outputs.length === 0) throw new FluxError('invalid-input', 'COMPACTION_EMPTY', 'a compaction replaces at least one object with at least one');
    return this.transaction(manager, async (m) => {
      const live: unknown[] = await m.query(
        `SELECT uri FROM catalog_object WHERE stream = $1 AND uri = ANY($2::text[]) AND retired_at IS NULL ORDER BY uri FOR UPDATE`,
        [stream, retired],
      );
      if (live.length !== new Set(retired).size) return false;
      const pending: unknown[] = await m.query(
        `SELECT uri FROM catalog_object
          WHERE stream = $1 AND uri = ANY($2::text[]) AND retired_at IS NOT NULL AND replaced_by IS NULL AND deleted_at IS NULL AND compacted_from IS NOT NULL
          ORDER BY uri FOR UPDATE`,
        [stream, outputs],
      );
      if (pending.length !== new Set(outputs).size) return false;
      await m.query(
        `UPDATE catalog_object SET retired_at = NULL, schema_version = (SELECT max(schema_version) FROM catalog_object WHERE uri = ANY($2::text[]))
          WHERE uri = ANY($1::text[])`,
        [outputs, retired],
      );
      // (replaced_by names one output: where an hour became several, the first)
      await m.query(`UPDATE catalog_object SET retired_at = now(), replaced_by = $1 WHERE uri = ANY($2::text[])`, [outputs[0], retired]);
      if (partition) {
        await m.query(`UPDATE catalog_partition SET location = $4, synced_at = NULL WHERE stream = $1 AND dt = $2 AND hour = $3`, [
          stream,
          partition.dt,
          partition.hour,
          partition.location,
        ]);
      }
      this.logger.log({ msg: 'objects compacted', stream, outputs: outputs.length, replaced: retired.length, location: partition?.location });
      return true;
    });
  }

  /**
   * Claims retired objects for the deletion of their files: marks those still retired and not claimed yet as deleted
   * and returns them, so only the claimer deletes a file, and a reserved compaction output claimed here can no longer
   * be swapped in (replaceObjects wants `deleted_at` empty). Their rows stay as tombstones.
   */
  async claimDeletion(uris: string[], manager?: EntityManager): Promise<string[]> {
    if (uris.length === 0) return [];
    const rows: { uri: string }[] = await (manager ?? this.dataSource.manager).query(
      `WITH d AS (UPDATE catalog_object SET deleted_at = now() WHERE uri = ANY($1::text[]) AND retired_at IS NOT NULL AND deleted_at IS NULL RETURNING uri)
       SELECT uri FROM d`,
      [uris],
    );
    return rows.map((r) => r.uri);
  }

  /** Removes objects from the catalog (rebuild: the archive no longer has them); empty partitions go too. */
  async forgetObjects(stream: string, uris: string[], manager?: EntityManager): Promise<number> {
    if (uris.length === 0) return 0;
    return this.transaction(manager, async (m) => {
      // (TypeORM returns [rows, count] for DELETE ... RETURNING; a CTE keeps the result a plain row set.)
      const [{ n }]: { n: number }[] = await m.query(
        `WITH d AS (DELETE FROM catalog_object WHERE stream = $1 AND uri = ANY($2::text[]) RETURNING uri) SELECT count(*)::int AS n FROM d`,
        [stream, uris],
      );
      await m.query(
        `DELETE FROM catalog_partition p WHERE p.stream = $1
            AND NOT EXISTS (SELECT 1 FROM catalog_object o WHERE o.stream = p.stream AND o.dt = p.dt AND o.hour = p.hour)`,
        [stream],
      );
      return n;
    });
  }

  /**
   * Runs `work` in a transaction: a new one, or a savepoint inside the caller's (the SQS inbox transaction), so the
   * catalog changes commit or roll back together with the handled message.
   */
  private transaction<T>(manager: EntityManager | undefined, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return (manager ?? this.dataSource.manager).transaction(work);
  }
}
