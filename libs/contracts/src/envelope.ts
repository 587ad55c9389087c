import { z } from 'zod';

/**
 * Every SQS message body is an envelope. `type` + `version` select the payload schema; `id` is what
 * consumers de-duplicate on (SQS delivers at least once); `correlationId` ties a chain of messages to the
 * request that started it.
 */
export const envelopeSchema = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  correlationId: z.string().min(1),
  occurredAt: z.iso.datetime(),
  producer: z.string().min(1),
  payload: z.unknown(),
});

export type Envelope<P = unknown> = Omit<z.infer<typeof envelopeSchema>, 'payload'> & { payload: P };
