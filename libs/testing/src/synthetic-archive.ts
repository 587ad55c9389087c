import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CatalogWriter, type CatalogObjectInfo } from '@flux-capacitor/archive-catalog';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';

/** A SQL string literal; the values here are the test's own paths and names. */
const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

export interface SyntheticArchiveOptions {
  /** archive root directory (the path of a file:// archive URI) */
  directory: string;
  stream: string;
  shards: number;
  /** records per shard per hour */
  recordsPerShardHour: number;
  hours: number;
  /** epoch ms of the first record; should be on an hour boundary */
  startMs: number;
  /** objects each shard-hour is split into */
  objectsPerShardHour?: number;
}

/**
 * What the catalog would record for an object, and where the object's file is. Synthetic objects are layout 1
 * (one shard, TIMESTAMP arrival time, no key-value metadata): that shard's range is repeated at the top level.
 */
export interface SyntheticObject extends CatalogObjectInfo {
  path: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

/** The `archive.object.written` announcement of a synthetic object, as the archiver would send it to the catalog. */
export function announcementOf(o: SyntheticObject): ArchiveObjectWritten {
  return upgradeArchiveObjectWritten({
    objectUri: o.uri,
    stream: o.stream,
    shardId: o.shardId,
    firstSequenceNumber: o.firstSequenceNumber,
    lastSequenceNumber: o.lastSequenceNumber,
    firstArrivalTime: o.firstArrivalTime.toISOString(),
    lastArrivalTime: o.lastArrivalTime.toISOString(),
    dt: o.dt,
    hour: o.hour,
    recordCount: o.recordCount,
    bytes: o.bytes,
  });
}

/** A sequence number as Kinesis writes them: a long decimal string; fixed width keeps text and numeric order equal. */
export function syntheticSequenceNumber(n: number | bigint): string {
  return `4960000000000000000000${String(n).padStart(20, '0')}`;
}

/**
 * Writes Parquet objects in the archive layout (`<stream>/dt=YYYY-MM-DD/hour=HH/<shard>-<first>-<last>.parquet`,
 * ARCHIVE_COLUMNS) straight from DuckDB, without Kinesis: for tests and the benchmark. Record i of a shard has
 * payload {"orderId", "type" (t0-t4), "customer" (c0-c999), "amount"}; partition key `pk-<i mod 10000>`.
 */
export async function writeSyntheticArchive(opts: SyntheticArchiveOptions): Promise<SyntheticObject[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await instance.connect();
  const objects: SyntheticObject[] = [];
  const perObject = Math.ceil(opts.recordsPerShardHour / (opts.objectsPerShardHour ?? 1));
  const spacing = 3_600_000 / opts.recordsPerShardHour;
  try {
    for (let s = 0; s < opts.shards; s++) {
      const shardId = `shardId-${String(s).padStart(12, '0')}`;
      for (let h = 0; h < opts.hours; h++) {
        for (let first = 0; first < opts.recordsPerShardHour; first += perObject) {
          const count = Math.min(perObject, opts.recordsPerShardHour - first);
          const base = h * opts.recordsPerShardHour + first;
          const hourStart = opts.startMs + h * 3_600_000;
          const firstMs = hourStart + Math.floor(first * spacing);
          const lastMs = hourStart + Math.floor((first + count - 1) * spacing);
          const iso = new Date(hourStart).toISOString();
          const dt = iso.slice(0, 10);
          const hour = Number(iso.slice(11, 13));
          const firstSeq = syntheticSequenceNumber(base);
          const lastSeq = syntheticSequenceNumber(base + count - 1);
          const key = `${opts.stream}/dt=${dt}/hour=${String(hour).padStart(2, '0')}/${shardId}-${firstSeq}-${lastSeq}.parquet`;
          const path = join(opts.directory, ...key.split('/'));
          mkdirSync(dirname(path), { recursive: true });
          await c.run(`
            COPY (
              SELECT ${sqlString(opts.stream)} AS stream, ${sqlString(shardId)} AS shard_id,
                     '4960000000000000000000' || lpad(CAST(${base} + i AS VARCHAR), 20, '0') AS sequence_number,
                     0::BIGINT AS sub_sequence_number,
                     'pk-' || ((${base} + i) % 10000) AS partition_key,
                     NULL::VARCHAR AS explicit_hash_key,
                     make_timestamp((${hourStart} + floor((${first} + i) * ${spacing}))::BIGINT * 1000) AS arrival_time,
                     encode('{"orderId":' || (${base} + i) || ',"shard":${s},"type":"t' || ((${base} + i) % 5) ||
                            '","customer":"c' || ((${base} + i) % 1000) || '","amount":' || ((${base} + i) % 100) || '}') AS data
              FROM range(0, ${count}) AS r(i)
              ORDER BY i
            ) TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
          const bytes = Number((await c.runAndReadAll(`SELECT size FROM read_blob(${sqlString(path)})`)).getRows()[0][0]);
          objects.push({
            uri: `file://${path}`,
            path,
            stream: opts.stream,
            layout: 1,
            shards: [{ shardId, firstSequenceNumber: firstSeq, lastSequenceNumber: lastSeq, recordCount: count }],
            shardId,
            firstSequenceNumber: firstSeq,
            lastSequenceNumber: lastSeq,
            firstArrivalTime: new Date(firstMs),
            lastArrivalTime: new Date(lastMs),
            recordCount: count,
            bytes,
            dt,
            hour,
          });
        }
      }
    }
  } finally {
    c.closeSync();
    instance.closeSync();
  }
  return objects;
}

/** Registers objects in the catalog of `databaseUrl` (migrated), as the catalog service does for each announcement. */
export async function registerArchiveObjects(databaseUrl: string, objects: SyntheticObject[]): Promise<void> {
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    const writer = new CatalogWriter(ds);
    for (const o of objects) await writer.registerObject(announcementOf(o));
  } finally {
    await ds.destroy();
  }
}
