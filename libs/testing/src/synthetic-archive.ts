import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { CatalogWriter, type CatalogObjectInfo } from '@flux-capacitor/archive-catalog';
import { archiveFieldColumns, archiveObjectKey, multiShardObjectKey, writeArchiveFile } from '@flux-capacitor/archive';
import { upgradeArchiveObjectWritten, type ArchiveFieldColumn, type ArchiveLayout, type ArchiveObjectWritten, type ArchiveRowOrder } from '@flux-capacitor/contracts';
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
  /**
   * 1 (default): objects as archivers before 0.9 wrote them (per-shard key, TIMESTAMP arrival_time, every record in
   * `data`, no key-value metadata); 2: the current layout (`part-<id>.parquet`, TIMESTAMPTZ, JSON records in
   * `data_json`, `flux.layout`/`flux.shards` metadata), one shard per object as with FLUX_ARCHIVER_OBJECT_SCOPE=shard.
   */
  layout?: ArchiveLayout;
  /**
   * Layout 2 only: key paths of the record (e.g. [['orderId'], ['customer']]) written as field columns
   * (archiveFieldColumns), as the archiver writes the columns it chose from the stream's schema. Default none.
   */
  fields?: readonly (readonly string[])[];
  /** Distinct partition keys: record i's is `pk-<i mod partitionKeys>` (default 10000). */
  partitionKeys?: number;
  /** Layout 2 only: row order inside each object, as FLUX_ARCHIVER_SORT sets it for the archiver (default its default). */
  order?: ArchiveRowOrder;
  /**
   * Layout 2 only: `shard` (default) writes one shard per object; `stream` writes every shard's records of the same
   * chunk of an hour into one object, as the archiver does by default (FLUX_ARCHIVER_OBJECT_SCOPE=stream).
   */
  objectScope?: 'shard' | 'stream';
}

/**
 * What the catalog would record for an object, and where the object's file is. Its first shard's range is repeated
 * at the top level (the only one, but with objectScope 'stream').
 */
export interface SyntheticObject extends CatalogObjectInfo {
  path: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

/** The `archive.object.written` announcement of a synthetic object, as the archiver would send it to the catalog. */
export function announcementOf(o: SyntheticObject): ArchiveObjectWritten {
  const facts = {
    objectUri: o.uri,
    stream: o.stream,
    firstArrivalTime: o.firstArrivalTime.toISOString(),
    lastArrivalTime: o.lastArrivalTime.toISOString(),
    dt: o.dt,
    hour: o.hour,
    recordCount: o.recordCount,
    bytes: o.bytes,
  };
  if (o.layout === 2) return { ...facts, layout: 2, shards: o.shards, ...(o.fields.length > 0 ? { fields: o.fields } : {}) };
  return upgradeArchiveObjectWritten({ ...facts, shardId: o.shardId, firstSequenceNumber: o.firstSequenceNumber, lastSequenceNumber: o.lastSequenceNumber });
}

/** A sequence number as Kinesis writes them: a long decimal string; fixed width keeps text and numeric order equal. */
export function syntheticSequenceNumber(n: number | bigint): string {
  return `4960000000000000000000${String(n).padStart(20, '0')}`;
}

/**
 * Writes Parquet objects (one shard each, or every shard's for objectScope 'stream') in the archive layout `opts.layout`
 * straight from DuckDB, without Kinesis: for tests and the benchmark. Record i of a shard has payload {"orderId",
 * "shard", "type" (t0-t4), "customer" (c0-c999), "amount"}; partition key `pk-<i mod partitionKeys>`. Both layouts
 * hold the same records for the same options, so a benchmark can compare them. Layout-2 objects are written by the
 * archiver's own statement (writeArchiveFile: row order, row groups, compression, metadata, field columns).
 */
export async function writeSyntheticArchive(opts: SyntheticArchiveOptions): Promise<SyntheticObject[]> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const c = await instance.connect();
  const objects: SyntheticObject[] = [];
  const perObject = Math.ceil(opts.recordsPerShardHour / (opts.objectsPerShardHour ?? 1));
  const spacing = 3_600_000 / opts.recordsPerShardHour;
  const layout = opts.layout ?? 1;
  const partitionKeys = opts.partitionKeys ?? 10_000;
  if (!Number.isInteger(partitionKeys) || partitionKeys < 1) throw new Error(`partitionKeys must be a positive integer, not ${partitionKeys}`);
  const fields: ArchiveFieldColumn[] = opts.fields && opts.fields.length > 0 ? archiveFieldColumns(opts.fields) : [];
  if (layout === 1 && fields.length > 0) throw new Error('layout-1 objects hold no field columns');
  const scope = opts.objectScope ?? 'shard';
  if (layout === 1 && scope === 'stream') throw new Error('layout-1 objects hold one shard each');
  const shardIdOf = (s: number) => `shardId-${String(s).padStart(12, '0')}`;
  /** Records [first, first + count) of shard s in hour h, in sequence order, as archive rows. */
  const rowsOf = (s: number, h: number, first: number, count: number) => {
    const base = h * opts.recordsPerShardHour + first;
    const micros = `(${opts.startMs + h * 3_600_000} + floor((${first} + i) * ${spacing}))::BIGINT * 1000`;
    return `(
              SELECT ${sqlString(opts.stream)} AS stream, ${sqlString(shardIdOf(s))} AS shard_id,
                     '4960000000000000000000' || lpad(CAST(${base} + i AS VARCHAR), 20, '0') AS sequence_number,
                     0::BIGINT AS sub_sequence_number,
                     'pk-' || ((${base} + i) % ${partitionKeys}) AS partition_key,
                     NULL::VARCHAR AS explicit_hash_key,
                     ${layout === 1 ? `make_timestamp(${micros})` : `make_timestamptz(${micros})`} AS arrival_time,
                     encode('{"orderId":' || (${base} + i) || ',"shard":${s},"type":"t' || ((${base} + i) % 5) ||
                            '","customer":"c' || ((${base} + i) % 1000) || '","amount":' || ((${base} + i) % 100) || '}') AS data
              FROM range(0, ${count}) AS r(i)
              ORDER BY i
            )`;
  };
  try {
    // make_timestamptz reads its argument in the session's time zone
    await c.run(`SET TimeZone = 'UTC'`);
    // shard scope: one object per shard and chunk of an hour; stream scope: every shard's chunk in one object
    const groups = scope === 'stream' ? [[...Array(opts.shards).keys()]] : [...Array(opts.shards).keys()].map((s) => [s]);
    for (const group of groups) {
      for (let h = 0; h < opts.hours; h++) {
        for (let first = 0; first < opts.recordsPerShardHour; first += perObject) {
          const count = Math.min(perObject, opts.recordsPerShardHour - first);
          const base = h * opts.recordsPerShardHour + first;
          const hourStart = opts.startMs + h * 3_600_000;
          const iso = new Date(hourStart).toISOString();
          const partition = { stream: opts.stream, dt: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
          const firstSeq = syntheticSequenceNumber(base);
          const lastSeq = syntheticSequenceNumber(base + count - 1);
          const shards = group.map((s) => ({ shardId: shardIdOf(s), firstSequenceNumber: firstSeq, lastSequenceNumber: lastSeq, recordCount: count }));
          const key =
            layout === 1
              ? archiveObjectKey({ ...partition, shardId: shardIdOf(group[0]), firstSequenceNumber: firstSeq, lastSequenceNumber: lastSeq })
              : multiShardObjectKey({ ...partition, id: `${scope === 'stream' ? 'all' : `shard${group[0]}`}-${String(base).padStart(12, '0')}` });
          const path = join(opts.directory, ...key.split('/'));
          mkdirSync(dirname(path), { recursive: true });
          if (layout === 1) await c.run(`COPY ${rowsOf(group[0], h, first, count)} TO ${sqlString(path)} (FORMAT parquet, COMPRESSION zstd)`);
          else {
            // a table in append order (each shard's records contiguous, in sequence order), like an archiver's batch,
            // written by the archiver's statement
            await c.run(`CREATE OR REPLACE TEMP TABLE synthetic_batch AS SELECT * FROM ${rowsOf(group[0], h, first, count)}`);
            for (const s of group.slice(1)) await c.run(`INSERT INTO synthetic_batch SELECT * FROM ${rowsOf(s, h, first, count)}`);
            const [sum] = (await c.runAndReadAll(`SELECT sum(octet_length(data) + length(partition_key) + length(sequence_number)) FROM synthetic_batch`)).getRows()[0];
            await writeArchiveFile(c, { table: 'synthetic_batch', path, shards, fields, recordBytes: Number(sum as bigint) / (count * group.length), order: opts.order });
            await c.run(`DROP TABLE synthetic_batch`);
          }
          const bytes = Number((await c.runAndReadAll(`SELECT size FROM read_blob(${sqlString(path)})`)).getRows()[0][0]);
          objects.push({
            uri: `file://${path}`,
            path,
            stream: opts.stream,
            layout,
            shards,
            shardId: shards[0].shardId,
            firstSequenceNumber: firstSeq,
            lastSequenceNumber: lastSeq,
            firstArrivalTime: new Date(hourStart + Math.floor(first * spacing)),
            lastArrivalTime: new Date(hourStart + Math.floor((first + count - 1) * spacing)),
            recordCount: count * group.length,
            bytes,
            dt: partition.dt,
            hour: partition.hour,
            // its field columns (CatalogObjectInfo.fields, issue 13)
            fields,
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
