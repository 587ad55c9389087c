import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { archiveObjectKey, multiShardObjectKey, partitionOf, type ArchiveStore, type ParquetEngine } from '@flux-capacitor/archive';
import {
  compareSequenceNumbers,
  type ArchiveFieldColumn,
  type ArchiveObjectWritten,
  type ArchiveRecord,
  type archiveObjectWrittenV1,
  type ObjectShardRange,
} from '@flux-capacitor/contracts';
import type { z } from 'zod';

const enc = new TextEncoder();

/** Records of one shard: JSON objects (or raw strings) arriving one second apart from `start`. */
export function records(stream: string, shardId: string, firstSeq: bigint, start: string, bodies: (object | string)[]): ArchiveRecord[] {
  return bodies.map((b, i) => ({
    stream,
    shardId,
    sequenceNumber: (firstSeq + BigInt(i)).toString(),
    subSequenceNumber: 0,
    partitionKey: `pk-${i}`,
    explicitHashKey: null,
    arrivalTime: Date.parse(start) + i * 1000,
    data: enc.encode(typeof b === 'string' ? b : JSON.stringify(b)),
  }));
}

/** Each shard's range in `rs` (numeric first and last sequence number, record count), by shard id. */
export function shardRangesOf(rs: ArchiveRecord[]): ObjectShardRange[] {
  const ranges = new Map<string, ObjectShardRange>();
  for (const r of rs) {
    const have = ranges.get(r.shardId);
    if (!have) {
      ranges.set(r.shardId, { shardId: r.shardId, firstSequenceNumber: r.sequenceNumber, lastSequenceNumber: r.sequenceNumber, recordCount: 1 });
      continue;
    }
    if (compareSequenceNumbers(r.sequenceNumber, have.firstSequenceNumber) < 0) have.firstSequenceNumber = r.sequenceNumber;
    if (compareSequenceNumbers(r.sequenceNumber, have.lastSequenceNumber) > 0) have.lastSequenceNumber = r.sequenceNumber;
    have.recordCount++;
  }
  return [...ranges.values()].sort((a, b) => (a.shardId < b.shardId ? -1 : a.shardId > b.shardId ? 1 : 0));
}

/** The object's facts common to both layouts: partition (of the earliest record), arrival range, totals. */
function objectFacts(rs: ArchiveRecord[]) {
  if (rs.length === 0) throw new Error('an archive object holds at least one record');
  // A loop, not Math.min(...): spreading hundreds of thousands of arguments overflows the stack.
  let first = Infinity;
  let last = -Infinity;
  for (const r of rs) {
    first = Math.min(first, r.arrivalTime);
    last = Math.max(last, r.arrivalTime);
  }
  return { stream: rs[0].stream, partition: partitionOf(first), firstArrivalTime: new Date(first).toISOString(), lastArrivalTime: new Date(last).toISOString() };
}

async function withTempFile<T>(work: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-archive-fixture-'));
  try {
    return await work(join(dir, 'o.parquet'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes records as one layout-2 archive object, the way the archiver does: key `part-<id>.parquet`, the shards'
 * rows interleaved in arrival order, TIMESTAMPTZ arrival_time, each shard's range in the `flux.shards` key-value
 * metadata. `rs` may hold one shard or several (of one stream and hour). Returns the announcement (version 2).
 */
export async function writeArchiveObject(
  store: ArchiveStore,
  engine: ParquetEngine,
  rs: ArchiveRecord[],
  /** `fields`: field columns the archiver's own writer adds (ParquetBatch.writeTo) */
  options: { id?: string; fields?: ArchiveFieldColumn[] } = {},
): Promise<ArchiveObjectWritten> {
  const facts = objectFacts(rs);
  const shards = shardRangesOf(rs);
  const key = multiShardObjectKey({ stream: facts.stream, ...facts.partition, id: options.id ?? randomBytes(8).toString('hex') });
  // Stable: each shard's records stay in sequence order.
  const rows = [...rs].sort((a, b) => a.arrivalTime - b.arrivalTime);
  return withTempFile(async (path) => {
    const batch = await engine.openBatch();
    try {
      for (const r of rows) batch.append(r);
      await batch.writeTo(path, shards, options.fields ?? []);
    } finally {
      await batch.discard();
    }
    const info = await store.put(key, path);
    return { ...announced(store, key, facts, rs.length, info.size), layout: 2, shards, ...(options.fields?.length ? { fields: options.fields } : {}) };
  });
}

/** What an announcement says of any object, either layout. */
function announced(store: ArchiveStore, key: string, facts: ReturnType<typeof objectFacts>, recordCount: number, bytes: number) {
  return {
    objectUri: store.uri(key),
    stream: facts.stream,
    firstArrivalTime: facts.firstArrivalTime,
    lastArrivalTime: facts.lastArrivalTime,
    dt: facts.partition.dt,
    hour: facts.partition.hour,
    recordCount,
    bytes,
  };
}

/**
 * Writes records of ONE shard as a layout-1 object exactly as archivers before 0.9 did: per-shard key
 * `<shard>-<first>-<last>.parquet`, arrival_time a TIMESTAMP (not UTC-adjusted), no key-value metadata. Returns
 * the version-1 announcement they published (`upgradeArchiveObjectWritten` gives the version-2 shape).
 */
export async function writeLayout1Object(store: ArchiveStore, rs: ArchiveRecord[]): Promise<z.infer<typeof archiveObjectWrittenV1>> {
  const facts = objectFacts(rs);
  const [range, ...others] = shardRangesOf(rs);
  if (others.length > 0) throw new Error('a layout-1 object holds one shard');
  const key = archiveObjectKey({ stream: facts.stream, shardId: range.shardId, firstSequenceNumber: range.firstSequenceNumber, lastSequenceNumber: range.lastSequenceNumber, ...facts.partition });
  return withTempFile(async (path) => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const c = await instance.connect();
    try {
      await c.run(
        `CREATE TABLE r (stream VARCHAR, shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, explicit_hash_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`,
      );
      const a = await c.createAppender('r');
      for (const r of rs) {
        a.appendVarchar(r.stream);
        a.appendVarchar(r.shardId);
        a.appendVarchar(r.sequenceNumber);
        a.appendBigInt(BigInt(r.subSequenceNumber));
        a.appendVarchar(r.partitionKey);
        if (r.explicitHashKey === null) a.appendNull();
        else a.appendVarchar(r.explicitHashKey);
        a.appendTimestamp(new DuckDBTimestampValue(BigInt(r.arrivalTime) * 1000n));
        a.appendBlob(r.data);
        a.endRow();
      }
      a.closeSync();
      await c.run(`COPY r TO '${path.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    } finally {
      c.closeSync();
      instance.closeSync();
    }
    const info = await store.put(key, path);
    return {
      ...announced(store, key, facts, rs.length, info.size),
      shardId: range.shardId,
      firstSequenceNumber: range.firstSequenceNumber,
      lastSequenceNumber: range.lastSequenceNumber,
    };
  });
}
