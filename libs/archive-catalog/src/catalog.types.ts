import type { ArchiveFieldColumn, ArchiveLayout, ObjectShardRange } from '@flux-capacitor/contracts';
import type { CatalogSchemaField, CatalogStreamFormat } from '@flux-capacitor/persistence';

/** A stream the catalog knows, with totals over its archived objects. */
export interface StreamSummary {
  name: string;
  /** null until schema inference saw a record */
  format: CatalogStreamFormat | null;
  objectCount: number;
  recordCount: number;
  bytes: number;
  partitionCount: number;
  /** null when the stream has no objects */
  firstArrivalTime: Date | null;
  lastArrivalTime: Date | null;
  /** the latest schema version, null before inference */
  schemaVersion: number | null;
  /** objects the catalog found unreadable (listCorruptObjects) */
  corruptObjectCount: number;
}

/** An archive object that is not readable Parquet, as the catalog found it. */
export interface CorruptObjectInfo {
  uri: string;
  stream: string;
  reason: string;
  detectedAt: Date;
}

/** An archived object as the catalog records it. */
export interface CatalogObjectInfo {
  uri: string;
  stream: string;
  /** the object's file layout: 1 (one shard, TIMESTAMP arrival time) or 2 (ranges in its Parquet metadata) */
  layout: ArchiveLayout;
  /** the shards it holds, each with its exact sequence range, by shard id; one for a layout-1 object */
  shards: ObjectShardRange[];
  firstArrivalTime: Date;
  lastArrivalTime: Date;
  /** all shards together */
  recordCount: number;
  bytes: number;
  dt: string;
  hour: number;
  /** its field columns (the `flux.fields` of its metadata); empty when it has none */
  fields: ArchiveFieldColumn[];
}

/** A live object of a closed hour, as compaction sees it. */
export interface CompactionCandidate {
  uri: string;
  dt: string;
  hour: number;
  /** as stored */
  bytes: number;
  recordCount: number;
  fields: ArchiveFieldColumn[];
  /** set on a compaction's output: how many objects it replaced */
  compactedFrom: number | null;
}

export interface PartitionInfo {
  stream: string;
  dt: string;
  hour: number;
  location: string;
  /** the first instant of the partition's hour (UTC); it covers [startsAt, startsAt + 1h) */
  startsAt: Date;
  objectCount: number;
  recordCount: number;
  bytes: number;
}

export interface StreamSchema {
  stream: string;
  version: number;
  format: CatalogStreamFormat;
  fields: CatalogSchemaField[];
  firstSeen: Date;
  lastSeen: Date;
}

/** A time window; either end may be open. Both ends are inclusive. */
export interface TimeRange {
  from?: Date;
  to?: Date;
}

export interface RegisterObjectResult {
  /** false when the catalog already held this object (a duplicate message): nothing changed */
  objectAdded: boolean;
  /** true when the object opened a partition the catalog did not have */
  partitionAdded: boolean;
  partition: { stream: string; dt: string; hour: number; location: string };
}
