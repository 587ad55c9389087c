import { Logger } from '@nestjs/common';
import { FluxError, archiveObjectWrittenV1, compareSequenceNumbers, type ArchiveObjectWritten } from '@flux-capacitor/contracts';
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

/** Write side of the catalog: registers archived objects (idempotently) and the partitions they open. */
export class CatalogWriter {
  private readonly logger = new Logger(CatalogWriter.name);

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records an archived object. Idempotent: registering a URI the catalog already holds changes nothing and
   * reports `objectAdded: false`. Creates the stream and the partition when they are new.
   */
  async registerObject(payload: ArchiveObjectWritten, manager?: EntityManager): Promise<RegisterObjectResult> {
    const o = archiveObjectWrittenV1.parse(payload);
    if (compareSequenceNumbers(o.firstSequenceNumber, o.lastSequenceNumber) > 0) {
      throw new FluxError('invalid-input', 'OBJECT_RANGE_INVALID', `${o.objectUri}: first sequence number is after the last`, { details: { objectUri: o.objectUri } });
    }
    if (Date.parse(o.firstArrivalTime) > Date.parse(o.lastArrivalTime)) {
      throw new FluxError('invalid-input', 'OBJECT_RANGE_INVALID', `${o.objectUri}: first arrival time is after the last`, { details: { objectUri: o.objectUri } });
    }
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
        `INSERT INTO catalog_object (uri, stream, shard_id, first_sequence_number, last_sequence_number,
                                     first_arrival_time, last_arrival_time, record_count, bytes, dt, hour)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT ON CONSTRAINT pk_catalog_object DO NOTHING
         RETURNING uri`,
        [
          o.objectUri,
          o.stream,
          o.shardId,
          o.firstSequenceNumber,
          o.lastSequenceNumber,
          o.firstArrivalTime,
          o.lastArrivalTime,
          o.recordCount,
          o.bytes,
          o.dt,
          o.hour,
        ],
      );
      // A concurrent registration of the same URI won the insert: it owns the partition too.
      if (newObject.length === 0) return { objectAdded: false, partitionAdded: false, partition };
      await m.query(`UPDATE catalog_stream SET updated_at = now() WHERE name = $1`, [o.stream]);
      const partitionAdded = newPartition.length > 0;
      this.logger.log({ msg: 'object catalogued', stream: o.stream, uri: o.objectUri, records: o.recordCount, partitionAdded });
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

  /** Whether an object's records have not been merged into the stream schema yet (a crash or retry in between). */
  async objectNeedsSchema(uri: string, manager?: EntityManager): Promise<boolean> {
    const rows: unknown[] = await (manager ?? this.dataSource.manager).query(
      `SELECT 1 FROM catalog_object WHERE uri = $1 AND schema_version IS NULL`,
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
