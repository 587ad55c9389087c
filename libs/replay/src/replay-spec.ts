import { describeZodIssues, streamNameSchema } from '@flux-capacitor/contracts';
import { z } from 'zod';

const streamName = streamNameSchema;
const sequenceNumber = z.string().regex(/^\d{1,64}$/, { message: 'must be a Kinesis sequence number (a decimal string)' });
const time = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 time such as 2026-11-30T12:00:00Z' });
const fragment = z.string().trim().min(1).max(10_000);

/** What `POST /v1/replays` accepts. Unknown fields are refused, so a typo never silently widens a replay. */
export const replayRequestSchema = z
  .object({
    source: streamName,
    target: streamName.optional(),
    from: time.optional(),
    until: time.optional(),
    fromSequence: z.record(z.string().min(1), sequenceNumber).optional(),
    untilSequence: z.record(z.string().min(1), sequenceNumber).optional(),
    where: fragment.optional(),
    compact: z
      .union([
        z.boolean(),
        z
          .object({
            key: fragment.default('partition_key'),
            tombstone: fragment.optional(),
            deletes: z.enum(['replay', 'drop']).default('replay'),
          })
          .strict(),
      ])
      .optional(),
    annotations: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'annotation names are letters, digits, _ . - (at most 64)' }), z.string().max(1024))
      .default({}),
    pace: z
      .discriminatedUnion('mode', [
        z.object({ mode: z.literal('max'), reserve: z.number().min(0).max(0.95).optional() }).strict(),
        z.object({ mode: z.literal('rate'), recordsPerSecond: z.number().positive().max(10_000_000) }).strict(),
        z.object({ mode: z.literal('original'), factor: z.number().positive().max(1_000_000) }).strict(),
      ])
      .default({ mode: 'max' }),
    format: z.enum(['envelope', 'raw']).default('envelope'),
    dryRun: z.boolean().default(false),
  })
  .strict();

export type ReplayRequest = z.input<typeof replayRequestSchema>;

/** The default tombstone rule: a record with empty data is a delete. */
export const DEFAULT_TOMBSTONE = 'octet_length(data) = 0';

/** A replay's spec after validation and defaults: what is stored, audited and executed. */
export interface ReplaySpec {
  source: string;
  target: string;
  from?: string;
  until?: string;
  fromSequence?: Record<string, string>;
  untilSequence?: Record<string, string>;
  where?: string;
  compact: { key: string; tombstone: string; deletes: 'replay' | 'drop' } | null;
  /** the tombstone rule, also without compaction (it sets each record's `op`) */
  tombstone: string;
  annotations: Record<string, string>;
  pace: { mode: 'max'; reserve?: number } | { mode: 'rate'; recordsPerSecond: number } | { mode: 'original'; factor: number };
  format: 'envelope' | 'raw';
  dryRun: boolean;
}

/** Parses a request into a spec; returns the readable reasons it is invalid instead. */
export function parseReplayRequest(body: unknown): { spec: ReplaySpec } | { errors: string[] } {
  const parsed = replayRequestSchema.safeParse(body ?? {});
  if (!parsed.success) return { errors: describeZodIssues(parsed.error, 'body') };
  const r = parsed.data;
  const errors: string[] = [];
  if (r.from && r.until && Date.parse(r.until) < Date.parse(r.from)) errors.push(`until (${r.until}) is before from (${r.from})`);
  for (const [shard, until] of Object.entries(r.untilSequence ?? {})) {
    const from = r.fromSequence?.[shard];
    if (from !== undefined && BigInt(until) < BigInt(from)) errors.push(`untilSequence of ${shard} is before its fromSequence`);
  }
  if (r.format === 'raw' && Object.keys(r.annotations).length > 0) {
    errors.push('annotations need the replay envelope: a raw replay writes the original bytes alone (drop format: raw or the annotations)');
  }
  if (errors.length > 0) return { errors };
  const compactObj = r.compact === true ? { key: 'partition_key', deletes: 'replay' as const } : r.compact || undefined;
  const tombstone = (compactObj && 'tombstone' in compactObj && compactObj.tombstone) || DEFAULT_TOMBSTONE;
  return {
    spec: {
      source: r.source,
      target: r.target ?? r.source,
      from: r.from && new Date(r.from).toISOString(),
      until: r.until && new Date(r.until).toISOString(),
      fromSequence: r.fromSequence,
      untilSequence: r.untilSequence,
      where: r.where,
      compact: compactObj ? { key: compactObj.key, tombstone, deletes: compactObj.deletes } : null,
      tombstone,
      annotations: r.annotations,
      pace: r.pace,
      format: r.format,
      dryRun: r.dryRun,
    },
  };
}
