import { z } from 'zod';

/** Response bodies of the archiver API: the OpenAPI document and the controller's return types both come from these. */

const atRisk = z.boolean().describe('the oldest unarchived record is older than half the retention period: Kinesis drops it at the end of it');

export const archivedStreamsResponseSchema = z.object({
  streams: z.array(
    z.object({
      stream: z.string(),
      retentionHours: z.number().int().nullable().describe("the stream's retention period; null before an archiver reported"),
      shardCount: z.number().int().describe('shards being archived (not closed and finished)'),
      maxMillisBehindLatest: z.number().nullable().describe('the largest lag behind the stream tip over its shards'),
      oldestUnarchivedAgeMs: z.number().nullable().describe('the age of the oldest record not archived yet, over its shards'),
      atRisk,
    }),
  ),
});

export const streamShardsResponseSchema = z.object({
  stream: z.string(),
  retentionHours: z.number().int().nullable(),
  shards: z.array(
    z.object({
      shardId: z.string(),
      owner: z.string().nullable().describe('the archiver instance holding the lease; null when none holds a live one'),
      leaseExpiresAt: z.date().nullable(),
      checkpointSequence: z.string().nullable().describe('the last sequence number durable in the archive (a decimal string)'),
      millisBehindLatest: z.number().nullable(),
      oldestUnarchivedAgeMs: z.number().nullable(),
      statusUpdatedAt: z.date().nullable().describe("the holder's last report (sent with its lease heartbeat)"),
      atRisk,
      finishedAt: z.date().nullable().describe('a reshard closed the shard and it is wholly archived'),
    }),
  ),
});

export type ArchivedStreamsResponse = z.infer<typeof archivedStreamsResponseSchema>;
export type StreamShardsResponse = z.infer<typeof streamShardsResponseSchema>;
