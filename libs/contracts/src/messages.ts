import { z } from 'zod';
import { archiveFieldColumn } from './field-columns';

/**
 * All queues and message types, in one place. A message type names its payload schema, its version and the
 * queues it is delivered to (SQS has no fan-out, so a producer sends one copy per consuming queue).
 */
export const Queues = {
  /** Catalog service: archive objects to register. */
  Catalog: 'catalog',
  /** Query gateway: new archive partitions, whose objects it prefetches into its cache. */
  QueryGateway: 'query-gateway',
  /** Replay coordinator: replay lifecycle. */
  ReplayCoordinator: 'replay-coordinator',
} as const;
export type QueueName = (typeof Queues)[keyof typeof Queues];

const sequenceNumber = z.string().regex(/^\d+$/, 'a Kinesis sequence number is a decimal string');

/** One shard's part of an archive object: its exact, contiguous sequence range. */
export const objectShardRange = z.object({
  shardId: z.string().min(1),
  firstSequenceNumber: sequenceNumber,
  lastSequenceNumber: sequenceNumber,
  /** user records (after KPL de-aggregation) of this shard in the object */
  recordCount: z.number().int().nonnegative(),
});
export type ObjectShardRange = z.infer<typeof objectShardRange>;

const objectFacts = {
  objectUri: z.string().min(1),
  stream: z.string().min(1),
  /** ISO-8601, UTC, of the earliest and latest approximate arrival timestamps in the object. */
  firstArrivalTime: z.iso.datetime(),
  lastArrivalTime: z.iso.datetime(),
  /** Hive partition of the object (dt=YYYY-MM-DD/hour=HH). */
  dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  hour: z.number().int().min(0).max(23),
  recordCount: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
};

/** Version 1 (archivers before 0.9): one shard per object, its range named in the key. Still accepted. */
export const archiveObjectWrittenV1 = z.object({
  ...objectFacts,
  shardId: z.string().min(1),
  firstSequenceNumber: sequenceNumber,
  lastSequenceNumber: sequenceNumber,
});

/**
 * Version 2: an object holds the records of one or more shards of a stream and hour (`shards`, one range per
 * shard). `layout` is the object's file layout (see ARCHIVE_LAYOUTS): 1 = per-shard key, TIMESTAMP arrival time;
 * 2 = any key, UTC-adjusted arrival time, ranges and layout in the Parquet key-value metadata.
 */
export const archiveObjectWrittenV2 = z.object({
  ...objectFacts,
  layout: z.number().int().min(1).max(2),
  shards: z
    .array(objectShardRange)
    .min(1)
    .refine((ranges) => new Set(ranges.map((r) => r.shardId)).size === ranges.length, 'a shard appears once per object'),
  /** The object's field columns (issue 13), as in its `flux.fields` metadata; absent: none (archivers before it). */
  fields: z.array(archiveFieldColumn).optional(),
});

/** A version-1 announcement in the version-2 shape. */
export function upgradeArchiveObjectWritten(v1: z.infer<typeof archiveObjectWrittenV1>): z.infer<typeof archiveObjectWrittenV2> {
  const { shardId, firstSequenceNumber, lastSequenceNumber, ...facts } = v1;
  return { ...facts, layout: 1, shards: [{ shardId, firstSequenceNumber, lastSequenceNumber, recordCount: facts.recordCount }] };
}

export const catalogPartitionAddedV1 = z.object({
  stream: z.string().min(1),
  dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  hour: z.number().int().min(0).max(23),
  location: z.string().min(1),
});

export const replayLifecycleV1 = z.object({
  replayId: z.uuid(),
  /** what happened; any coordinator instance may act on it (claim a new replay, stop a paused or cancelled one) */
  event: z.enum(['created', 'paused', 'resumed', 'cancelled']),
});

export const MessageContracts = {
  'archive.object.written': {
    version: 2,
    schema: archiveObjectWrittenV2,
    // In flight from archivers of the previous release during an upgrade.
    previous: { 1: archiveObjectWrittenV1.transform(upgradeArchiveObjectWritten) },
    queues: [Queues.Catalog],
  },
  'catalog.partition.added': { version: 1, schema: catalogPartitionAddedV1, queues: [Queues.QueryGateway] },
  'replay.lifecycle': { version: 1, schema: replayLifecycleV1, queues: [Queues.ReplayCoordinator] },
} as const satisfies Record<
  string,
  {
    version: number;
    schema: z.ZodType;
    /** Older versions still accepted, each parsed into the current payload shape. */
    previous?: Record<number, z.ZodType>;
    queues: readonly QueueName[];
  }
>;

export type MessageType = keyof typeof MessageContracts;
export const MessageTypes = Object.keys(MessageContracts) as MessageType[];
export type MessagePayload<T extends MessageType> = z.infer<(typeof MessageContracts)[T]['schema']>;

export type ArchiveObjectWritten = MessagePayload<'archive.object.written'>;
export type CatalogPartitionAdded = MessagePayload<'catalog.partition.added'>;
export type ReplayLifecycle = MessagePayload<'replay.lifecycle'>;

export function isMessageType(type: string): type is MessageType {
  return Object.prototype.hasOwnProperty.call(MessageContracts, type);
}

/** The message types a queue receives, for the start-up check that each has exactly one handler. */
export function messageTypesForQueue(queue: QueueName): MessageType[] {
  return MessageTypes.filter((t) => (MessageContracts[t].queues as readonly string[]).includes(queue));
}
