import { z } from 'zod';

const ISO_DATE_TIME = z.iso.datetime({ offset: true });

/** Query string of GET /v1/streams/:stream/tail. */
export const tailQuerySchema = z.object({
  from: z
    .string()
    .refine((v) => v === 'latest' || v === 'earliest' || ISO_DATE_TIME.safeParse(v).success, {
      message: 'must be latest, earliest or an ISO-8601 date-time such as 2026-12-01T12:00:00Z',
    })
    .default('latest'),
  cursor: z.string().min(1).max(65_536, 'must be the cursor of a previous tail answer').optional(),
  limit: z.coerce.number({ message: 'must be a whole number from 1 to 1000' }).int().min(1).max(1000).default(100),
});

export type TailQuery = z.infer<typeof tailQuerySchema>;

export const tailResponseSchema = z.object({
  stream: z.string(),
  records: z.array(
    z.object({
      shardId: z.string(),
      sequenceNumber: z.string().describe('a Kinesis sequence number (decimal string; never a JS number)'),
      partitionKey: z.string(),
      arrivalTime: z.string().describe('ISO-8601 approximate arrival time'),
      data: z.string().describe('the record data, base64'),
      payload: z.unknown().describe('the data parsed as JSON, or null when it is not JSON'),
    }),
  ),
  cursor: z.string().describe('pass it as ?cursor= to get what arrived since'),
});

export type TailResponse = z.infer<typeof tailResponseSchema>;
