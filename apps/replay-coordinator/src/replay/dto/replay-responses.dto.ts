import { z } from 'zod';

/** Response bodies of the replay API: the OpenAPI document and the controller's return types both come from these. */

const state = z.enum(['planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled']);
const sequenceNumber = z.string().describe('a Kinesis sequence number (decimal string; never a JS number)');

const specSchema = z.object({
  source: z.string(),
  target: z.string(),
  from: z.string().optional(),
  until: z.string().optional(),
  fromSequence: z.record(z.string(), sequenceNumber).optional(),
  untilSequence: z.record(z.string(), sequenceNumber).optional(),
  where: z.string().optional(),
  compact: z.object({ key: z.string(), tombstone: z.string(), deletes: z.enum(['replay', 'drop']) }).nullable(),
  tombstone: z.string(),
  annotations: z.record(z.string(), z.string()),
  pace: z.union([
    z.object({ mode: z.literal('max'), reserve: z.number().optional() }),
    z.object({ mode: z.literal('rate'), recordsPerSecond: z.number() }),
    z.object({ mode: z.literal('original'), factor: z.number() }),
  ]),
  format: z.enum(['envelope', 'raw']),
  dryRun: z.boolean(),
});

const planSchema = z.object({
  records: z.number().int(),
  bytes: z.number().int(),
  distinctKeys: z.number().int(),
  deletes: z.number().int(),
  perShard: z.record(z.string(), z.number().int()).describe('selected records per source shard'),
  objects: z.number().int(),
  liveRecords: z.number().int(),
  sample: z.array(
    z.object({
      shardId: z.string(),
      sequenceNumber,
      partitionKey: z.string(),
      arrivalTime: z.string(),
      key: z.string(),
      op: z.enum(['upsert', 'delete']),
      payload: z.unknown().describe('the data as JSON, or { base64 } when it is not JSON'),
    }),
  ),
  firstArrivalTime: z.string().nullable(),
  lastArrivalTime: z.string().nullable(),
  estimatedSeconds: z.number(),
  watermarks: z.record(z.string(), sequenceNumber),
  planningMs: z.number(),
});

export const replayViewSchema = z.object({
  id: z.uuid(),
  state,
  source: z.string(),
  target: z.string(),
  dryRun: z.boolean(),
  spec: specSchema,
  createdBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  progress: z.object({
    selected: z.number().int(),
    put: z.number().int(),
    failed: z.number().int(),
    bytesSelected: z.number().int(),
    bytesPut: z.number().int(),
    ratePerSecond: z.number(),
    etaSeconds: z.number().nullable(),
  }),
  plan: planSchema.nullable(),
  failures: z.array(z.object({ ordinal: z.number().int(), partitionKey: z.string(), errorCode: z.string(), message: z.string() })),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const replayListSchema = z.object({ items: z.array(replayViewSchema), nextCursor: z.string().nullable() });

export const replayWatermarksSchema = z.object({
  replayId: z.uuid(),
  sourceStream: z.string(),
  targetStream: z.string(),
  state,
  watermarks: z.array(z.object({ shardId: z.string(), sequenceNumber })),
  shards: z.array(z.object({ shardId: z.string(), parentShardId: z.string().nullable(), adjacentParentShardId: z.string().nullable() })),
});

export const replayAuditSchema = z.object({
  items: z.array(
    z.object({
      at: z.string(),
      actor: z.string().describe("the actor's token fingerprint"),
      action: z.string().describe('created, paused, resumed, cancelled, completed, failed, ...'),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});

export type ReplayViewResponse = z.infer<typeof replayViewSchema>;
export type ReplayListResponse = z.infer<typeof replayListSchema>;
export type ReplayWatermarksResponse = z.infer<typeof replayWatermarksSchema>;
export type ReplayAuditResponse = z.infer<typeof replayAuditSchema>;
