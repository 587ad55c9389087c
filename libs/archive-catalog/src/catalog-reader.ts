import { compareSequenceNumbers, type ArchiveFieldColumn, type ArchiveLayout } from '@flux-capacitor/contracts';
import type { CatalogSchemaField, CatalogStreamFormat } from '@flux-capacitor/persistence';
import type { EntityManager } from 'typeorm';
import type { CatalogObjectInfo, CompactionCandidate, CorruptObjectInfo, PartitionInfo, StreamSchema, StreamSummary, TimeRange } from './catalog.types';

const HOUR_MS = 3_600_000;

// node-postgres returns bigint and numeric aggregates as strings; catalog totals fit a double comfortably.
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : new Date(v as string | Date));

type Row = Record<string, unknown>;

/**
 * Objects from rows of `catalog_object JOIN catalog_object_shard`, one row per shard, an object's rows consecutive
 * and by shard id.
 */
function toObjects(rows: Row[]): CatalogObjectInfo[] {
  const objects: CatalogObjectInfo[] = [];
  for (const r of rows) {
    const range = { shardId: r.shard_id as string, firstSequenceNumber: r.first_sequence_number as string, lastSequenceNumber: r.last_sequence_number as string, recordCount: num(r.shard_record_count) };
    const last = objects.at(-1);
    if (last && last.uri === r.uri) {
      last.shards.push(range);
      continue;
    }
    objects.push({
      uri: r.uri as string,
      stream: r.stream as string,
      layout: num(r.layout) as ArchiveLayout,
      shards: [range],
      firstArrivalTime: date(r.first_arrival_time)!,
      lastArrivalTime: date(r.last_arrival_time)!,
      recordCount: num(r.record_count),
      bytes: num(r.bytes),
      dt: r.dt as string,
      hour: num(r.hour),
      fields: (r.field_columns as ArchiveFieldColumn[] | null | undefined) ?? [],
    });
  }
  return objects;
}

/** First arrival time, then first shard and its first sequence number (numeric), then URI. */
function objectOrder(a: CatalogObjectInfo, b: CatalogObjectInfo): number {
  const t = a.firstArrivalTime.getTime() - b.firstArrivalTime.getTime();
  if (t !== 0) return t;
  const [x, y] = [a.shards[0], b.shards[0]];
  if (x.shardId !== y.shardId) return x.shardId < y.shardId ? -1 : 1;
  const seq = compareSequenceNumbers(x.firstSequenceNumber, y.firstSequenceNumber);
  return seq !== 0 ? seq : a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0;
}

/**
 * Read side of the catalog. The query gateway uses it to choose the objects a query must scan and where the live
 * tail of each shard begins; the catalog's HTTP API serves it as JSON.
 */
export class CatalogReader {
  /** A DataSource, or the EntityManager of a transaction to read its uncommitted writes. */
  constructor(private readonly dataSource: Pick<EntityManager, 'query'>) {}

  /** Every catalogued stream with totals, by name. */
  async listStreams(): Promise<StreamSummary[]> {
    return this.summaries();
  }

  /** How many objects of each stream are marked corrupt (streams with none are absent); served by a partial index. */
  async corruptObjectCounts(): Promise<Map<string, number>> {
    const rows: Row[] = await this.dataSource.query(`SELECT stream, count(*) AS n FROM catalog_object WHERE corrupt_reason IS NOT NULL AND retired_at IS NULL GROUP BY stream`);
    return new Map(rows.map((r) => [r.stream as string, num(r.n)]));
  }

  /** Objects found unreadable (of one stream, or of all), oldest finding first. */
  async listCorruptObjects(stream?: string): Promise<CorruptObjectInfo[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT uri, stream, corrupt_reason, corrupt_at FROM catalog_object
        WHERE corrupt_reason IS NOT NULL AND retired_at IS NULL AND ($1::text IS NULL OR stream = $1::text) ORDER BY corrupt_at, uri`,
      [stream ?? null],
    );
    return rows.map((r) => ({ uri: r.uri as string, stream: r.stream as string, reason: r.corrupt_reason as string, detectedAt: date(r.corrupt_at)! }));
  }

  /** One stream's summary, or null when the catalog does not know it. */
  async getStream(stream: string): Promise<StreamSummary | null> {
    const [summary] = await this.summaries(stream);
    return summary ?? null;
  }

  /**
   * The objects of a stream whose arrival-time range overlaps [from, to] (both inclusive, either open), each with
   * its layout and the range of every shard it holds (by shard id), ordered by first arrival time, then first shard
   * and sequence number.
   */
  async listObjects(stream: string, range: TimeRange = {}): Promise<CatalogObjectInfo[]> {
    // One row per shard range (one per object for layout 1), grouped here: cheaper than aggregating in SQL.
    const rows: Row[] = await this.dataSource.query(
      `SELECT o.uri, o.stream, o.layout, o.first_arrival_time, o.last_arrival_time, o.record_count, o.bytes, o.dt, o.hour, o.field_columns,
              s.shard_id, s.first_sequence_number, s.last_sequence_number, s.record_count AS shard_record_count
         FROM catalog_object o
         JOIN catalog_object_shard s ON s.uri = o.uri
        WHERE o.stream = $1 AND o.retired_at IS NULL
          AND ($2::timestamptz IS NULL OR o.last_arrival_time >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR o.first_arrival_time <= $3::timestamptz)
        ORDER BY o.first_arrival_time, o.uri, s.shard_id`,
      [stream, range.from ?? null, range.to ?? null],
    );
    return toObjects(rows).sort(objectOrder);
  }

  /**
   * The live objects of a stream's hours that ended at or before `closedBefore`, for compaction: layout 2, readable,
   * by hour (oldest first), each hour's objects by first arrival time.
   */
  async compactionCandidates(stream: string, closedBefore: Date): Promise<CompactionCandidate[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT o.uri, o.dt, o.hour, o.bytes, o.record_count, o.field_columns, o.compacted_from
         FROM catalog_object o
         JOIN catalog_partition p ON p.stream = o.stream AND p.dt = o.dt AND p.hour = o.hour
        WHERE o.stream = $1 AND o.retired_at IS NULL AND o.corrupt_reason IS NULL AND o.layout = 2
          AND p.starts_at + interval '1 hour' <= $2::timestamptz
        ORDER BY p.starts_at, o.first_arrival_time, o.uri`,
      [stream, closedBefore],
    );
    return rows.map((r) => ({
      uri: r.uri as string,
      dt: r.dt as string,
      hour: num(r.hour),
      bytes: num(r.bytes),
      recordCount: num(r.record_count),
      fields: (r.field_columns as ArchiveFieldColumn[] | null) ?? [],
      compactedFrom: r.compacted_from === null ? null : num(r.compacted_from),
    }));
  }

  /** Retired objects whose files are still in the archive, retired at or before `retiredBefore`, oldest first. */
  async retiredObjectsDue(retiredBefore: Date, limit = 1000): Promise<{ uri: string; stream: string }[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT uri, stream FROM catalog_object
        WHERE retired_at IS NOT NULL AND deleted_at IS NULL AND retired_at <= $1::timestamptz
        ORDER BY retired_at, uri LIMIT $2`,
      [retiredBefore, limit],
    );
    return rows.map((r) => ({ uri: r.uri as string, stream: r.stream as string }));
  }

  /** The URIs of a stream's retired objects (tombstones), whether or not their files are deleted yet. */
  async retiredUris(stream: string): Promise<Set<string>> {
    const rows: Row[] = await this.dataSource.query(`SELECT uri FROM catalog_object WHERE stream = $1 AND retired_at IS NOT NULL`, [stream]);
    return new Set(rows.map((r) => r.uri as string));
  }

  /**
   * The highest catalogued sequence number of each shard of a stream (numeric order), over every object holding
   * that shard, whichever its layout. Records after it on a shard are not in the catalogued archive yet; the query
   * gateway reads them from Kinesis.
   */
  async shardHighWatermarks(stream: string): Promise<Map<string, string>> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT DISTINCT ON (shard_id) shard_id, last_sequence_number
         FROM catalog_object_shard
        WHERE stream = $1
        ORDER BY shard_id, last_sequence_number::numeric DESC`,
      [stream],
    );
    return new Map(rows.map((r) => [r.shard_id as string, r.last_sequence_number as string]));
  }

  /** The latest schema version of a stream, or null before inference has seen a record. */
  async getSchema(stream: string, version?: number): Promise<StreamSchema | null> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT stream, version, format, fields, first_seen, last_seen
         FROM catalog_schema_version
        WHERE stream = $1 AND ($2::integer IS NULL OR version = $2::integer)
        ORDER BY version DESC
        LIMIT 1`,
      [stream, version ?? null],
    );
    return rows.length === 0 ? null : toSchema(rows[0]);
  }

  /** Every schema version of a stream, oldest first. */
  async listSchemaVersions(stream: string): Promise<StreamSchema[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT stream, version, format, fields, first_seen, last_seen
         FROM catalog_schema_version WHERE stream = $1 ORDER BY version`,
      [stream],
    );
    return rows.map(toSchema);
  }

  /**
   * The partitions of a stream whose hour overlaps [from, to] (either open), oldest first, with object totals.
   * A partition covers [dt hour:00, dt hour+1:00).
   */
  async listPartitions(stream: string, range: TimeRange = {}): Promise<PartitionInfo[]> {
    const from = range.from ? new Date(range.from.getTime() - HOUR_MS + 1) : null;
    const rows: Row[] = await this.dataSource.query(
      `SELECT p.stream, p.dt, p.hour, p.location, p.starts_at,
              count(o.uri) AS object_count, coalesce(sum(o.record_count), 0) AS record_count,
              coalesce(sum(o.bytes), 0) AS bytes
         FROM catalog_partition p
         LEFT JOIN catalog_object o ON o.stream = p.stream AND o.dt = p.dt AND o.hour = p.hour AND o.retired_at IS NULL
        WHERE p.stream = $1
          AND ($2::timestamptz IS NULL OR p.starts_at >= $2::timestamptz)
          AND ($3::timestamptz IS NULL OR p.starts_at <= $3::timestamptz)
        GROUP BY p.stream, p.dt, p.hour, p.location, p.starts_at
        ORDER BY p.starts_at`,
      [stream, from, range.to ?? null],
    );
    return rows.map((r) => ({
      stream: r.stream as string,
      dt: r.dt as string,
      hour: num(r.hour),
      location: r.location as string,
      startsAt: date(r.starts_at)!,
      objectCount: num(r.object_count),
      recordCount: num(r.record_count),
      bytes: num(r.bytes),
    }));
  }

  private async summaries(stream?: string): Promise<StreamSummary[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT s.name, s.format,
              coalesce(o.object_count, 0) AS object_count, coalesce(o.record_count, 0) AS record_count,
              coalesce(o.bytes, 0) AS bytes, o.first_arrival_time, o.last_arrival_time,
              (SELECT count(*) FROM catalog_partition p WHERE p.stream = s.name) AS partition_count,
              (SELECT max(v.version) FROM catalog_schema_version v WHERE v.stream = s.name) AS schema_version,
              (SELECT count(*) FROM catalog_object c WHERE c.stream = s.name AND c.corrupt_reason IS NOT NULL AND c.retired_at IS NULL) AS corrupt_object_count
         FROM catalog_stream s
         LEFT JOIN (
           SELECT stream, count(*) AS object_count, sum(record_count) AS record_count, sum(bytes) AS bytes,
                  min(first_arrival_time) AS first_arrival_time, max(last_arrival_time) AS last_arrival_time
             FROM catalog_object WHERE retired_at IS NULL GROUP BY stream
         ) o ON o.stream = s.name
        WHERE $1::text IS NULL OR s.name = $1::text
        ORDER BY s.name`,
      [stream ?? null],
    );
    return rows.map((r) => ({
      name: r.name as string,
      format: (r.format as CatalogStreamFormat | null) ?? null,
      objectCount: num(r.object_count),
      recordCount: num(r.record_count),
      bytes: num(r.bytes),
      partitionCount: num(r.partition_count),
      firstArrivalTime: date(r.first_arrival_time),
      lastArrivalTime: date(r.last_arrival_time),
      schemaVersion: r.schema_version === null ? null : num(r.schema_version),
      corruptObjectCount: num(r.corrupt_object_count),
    }));
  }
}

function toSchema(r: Row): StreamSchema {
  return {
    stream: r.stream as string,
    version: num(r.version),
    format: r.format as CatalogStreamFormat,
    fields: r.fields as CatalogSchemaField[],
    firstSeen: date(r.first_seen)!,
    lastSeen: date(r.last_seen)!,
  };
}
