import { join } from 'node:path';
import type { ArchiveLocation } from '@flux-capacitor/config';

/** The Hive partition an object belongs to: the UTC date and hour of its records' arrival. */
export interface ArchivePartition {
  /** YYYY-MM-DD, UTC */
  dt: string;
  /** 0-23, UTC */
  hour: number;
}

/** What an object's key says about it: the partition and the exact record range it holds. */
export interface ArchiveObjectName extends ArchivePartition {
  stream: string;
  shardId: string;
  firstSequenceNumber: string;
  lastSequenceNumber: string;
}

/** The partition of an arrival timestamp (epoch ms, UTC). */
export function partitionOf(arrivalTimeMs: number): ArchivePartition {
  const iso = new Date(arrivalTimeMs).toISOString();
  return { dt: iso.slice(0, 10), hour: Number(iso.slice(11, 13)) };
}

/** `<stream>/dt=YYYY-MM-DD/hour=HH/`: the folder of one partition, relative to the archive root. */
export function partitionPrefix(stream: string, partition: ArchivePartition): string {
  return `${stream}/dt=${partition.dt}/hour=${String(partition.hour).padStart(2, '0')}/`;
}

const SEQUENCE = /^\d+$/;

/**
 * The key of a layout-1 object (one shard per object; written before 0.9 and by test fixtures, and still read),
 * relative to the archive root (the store adds the S3 prefix or the directory):
 * `<stream>/dt=YYYY-MM-DD/hour=HH/<shardId>-<firstSeq>-<lastSeq>.parquet`. Deterministic: the same shard and range
 * always give the same key, so a retry overwrites rather than duplicates.
 */
export function archiveObjectKey(name: ArchiveObjectName): string {
  if (!name.stream || name.stream.includes('/')) throw new Error(`invalid stream name "${name.stream}"`);
  if (!name.shardId || name.shardId.includes('/')) throw new Error(`invalid shard id "${name.shardId}"`);
  if (!SEQUENCE.test(name.firstSequenceNumber) || !SEQUENCE.test(name.lastSequenceNumber)) {
    throw new Error(`sequence numbers must be decimal strings (${name.firstSequenceNumber}, ${name.lastSequenceNumber})`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(name.dt) || !Number.isInteger(name.hour) || name.hour < 0 || name.hour > 23) {
    throw new Error(`invalid partition dt=${name.dt} hour=${name.hour}`);
  }
  return `${partitionPrefix(name.stream, name)}${name.shardId}-${name.firstSequenceNumber}-${name.lastSequenceNumber}.parquet`;
}

/** What a layout-2 key names: the partition and an id unique within it (it says nothing of shards). */
export interface MultiShardObjectName extends ArchivePartition {
  stream: string;
  id: string;
}

const OBJECT_ID = /^[0-9a-z][0-9a-z-]{7,63}$/;

/**
 * The key of a layout-2 object: `<stream>/dt=YYYY-MM-DD/hour=HH/part-<id>.parquet`. The id is chosen when the
 * write intent is recorded and kept in it, so a recovery rewrites the same key. Shard ranges live in the intent,
 * the announcement and the object's own metadata, not in the key.
 */
export function multiShardObjectKey(name: MultiShardObjectName): string {
  if (!name.stream || name.stream.includes('/')) throw new Error(`invalid stream name "${name.stream}"`);
  if (!OBJECT_ID.test(name.id)) throw new Error(`invalid object id "${name.id}"`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(name.dt) || !Number.isInteger(name.hour) || name.hour < 0 || name.hour > 23) {
    throw new Error(`invalid partition dt=${name.dt} hour=${name.hour}`);
  }
  return `${partitionPrefix(name.stream, name)}part-${name.id}.parquet`;
}

/** What a compaction's output key names: the partition, the compaction (its folder) and the object. */
export interface CompactedObjectName extends MultiShardObjectName {
  /** one compaction of the hour: every object it writes shares the folder, which becomes the partition's location */
  generation: string;
}

/**
 * The key of an object a compaction of closed hours wrote:
 * `<stream>/_compacted/dt=YYYY-MM-DD/hour=HH/<generation>/part-<id>.parquet`. Outside the partition's own folder,
 * so Hive, Glue and Athena see either the archiver's objects or the compaction's, whichever folder the partition's
 * location names; the `_` keeps it out of a listing of the stream's folder (Hive and Spark skip such names).
 */
export function compactedObjectKey(name: CompactedObjectName): string {
  if (!OBJECT_ID.test(name.id)) throw new Error(`invalid object id "${name.id}"`);
  return `${compactedFolderKey(name)}/part-${name.id}.parquet`;
}

/** The folder of one compaction of an hour (`<stream>/_compacted/dt=YYYY-MM-DD/hour=HH/<generation>`): its partition location. */
export function compactedFolderKey(name: Omit<CompactedObjectName, 'id'>): string {
  if (!OBJECT_ID.test(name.generation)) throw new Error(`invalid compaction generation "${name.generation}"`);
  // multiShardObjectKey checks the stream and the partition
  const partition = multiShardObjectKey({ ...name, id: name.generation }).slice(name.stream.length + 1).replace(/part-[^/]+$/, '');
  return `${name.stream}/_compacted/${partition}${name.generation}`;
}

const COMPACTED_KEY_PATTERN = /^(?:.*\/)?([^/]+)\/_compacted\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([0-9a-z][0-9a-z-]{7,63})\/part-([0-9a-z][0-9a-z-]{7,63})\.parquet$/;

const MULTI_KEY_PATTERN = /^(?:.*\/)?([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/part-([0-9a-z][0-9a-z-]{7,63})\.parquet$/;

/** A parsed archive object key of either layout; null for keys that are not archive objects. */
export type ParsedObjectKey = ({ layout: 1 } & ArchiveObjectName) | ({ layout: 2 } & MultiShardObjectName);

/** Reads an object key of either layout (relative, or with any prefix in front). */
export function parseObjectKey(key: string): ParsedObjectKey | null {
  const compacted = COMPACTED_KEY_PATTERN.exec(key);
  if (compacted) {
    const hour = Number(compacted[3]);
    return hour > 23 ? null : { layout: 2, stream: compacted[1], dt: compacted[2], hour, id: compacted[5] };
  }
  const multi = MULTI_KEY_PATTERN.exec(key);
  if (multi) {
    const hour = Number(multi[3]);
    return hour > 23 ? null : { layout: 2, stream: multi[1], dt: multi[2], hour, id: multi[4] };
  }
  const single = parseArchiveObjectKey(key);
  return single ? { layout: 1, ...single } : null;
}

const KEY_PATTERN = /^(?:.*\/)?([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/([^/]+)-(\d+)-(\d+)\.parquet$/;

/**
 * Reads the partition and record range back from a layout-1 object key (relative, or with any prefix in front).
 * Returns null for other keys. `parseObjectKey` reads both layouts.
 */
export function parseArchiveObjectKey(key: string): ArchiveObjectName | null {
  const m = KEY_PATTERN.exec(key);
  if (!m) return null;
  const hour = Number(m[3]);
  if (hour > 23) return null;
  return {
    stream: m[1],
    dt: m[2],
    hour,
    shardId: m[4],
    firstSequenceNumber: m[5],
    lastSequenceNumber: m[6],
  };
}

/** The full S3 key (prefix included) of a key relative to the archive root. */
export function s3KeyOf(location: Extract<ArchiveLocation, { kind: 's3' }>, key: string): string {
  return location.prefix ? `${location.prefix}/${key}` : key;
}

/** The absolute path of a key in a `file://` archive. */
export function filePathOf(location: Extract<ArchiveLocation, { kind: 'file' }>, key: string): string {
  return join(location.directory, ...key.split('/'));
}

/** `s3://bucket/prefix/key` or `file:///abs/path/key`: the URI an object is announced and queried by. */
export function objectUri(location: ArchiveLocation, key: string): string {
  return location.kind === 's3' ? `s3://${location.bucket}/${s3KeyOf(location, key)}` : `file://${filePathOf(location, key)}`;
}

/** The key, relative to the archive root, of an object URI inside this archive; null when it lies elsewhere. */
export function keyOfUri(location: ArchiveLocation, uri: string): string | null {
  const root = location.kind === 's3' ? `s3://${location.bucket}/${location.prefix ? `${location.prefix}/` : ''}` : `file://${location.directory.replace(/\/$/, '')}/`;
  if (!uri.startsWith(root)) return null;
  const key = uri.slice(root.length);
  // `..`, `.` or an empty segment could name something outside the archive (S3-compatible stores and file paths
  // normalise them): such a URI is not an object of this archive.
  return key.split('/').some((part) => part === '' || part === '.' || part === '..') ? null : key;
}
