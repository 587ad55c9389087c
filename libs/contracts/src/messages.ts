import { z } from 'zod';

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

export const archiveObjectWrittenV1 = z.object({
  objectUri: z.string().min(1),
  stream: z.string().min(1),
  shardId: z.string().min(1),
  firstSequenceNumber: sequenceNumber,
  lastSequenceNumber: sequenceNumber,
  /** ISO-8601, UTC, of the earliest and latest approximate arrival timestamps in the object. */
  firstArrivalTime: z.iso.datetime(),
  lastArrivalTime: z.iso.datetime(),
  /** Hive partition of the object (dt=YYYY-MM-DD/hour=HH). */
  dt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  hour: z.number().int().min(0).max(23),
  recordCount: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
});

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
  'archive.object.written': { version: 1, schema: archiveObjectWrittenV1, queues: [Queues.Catalog] },
  'catalog.partition.added': { version: 1, schema: catalogPartitionAddedV1, queues: [Queues.QueryGateway] },
  'replay.lifecycle': { version: 1, schema: replayLifecycleV1, queues: [Queues.ReplayCoordinator] },
} as const satisfies Record<string, { version: number; schema: z.ZodType; queues: readonly QueueName[] }>;

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
