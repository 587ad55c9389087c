import { z } from 'zod';

/** Response bodies of the query API: the OpenAPI document and the controller's return types both come from these. */

const state = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
const engine = z.enum(['duckdb', 'drill']);
const queryError = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() });
const column = z.object({ name: z.string(), type: z.string().describe('the engine type, e.g. VARCHAR, TIMESTAMP WITH TIME ZONE, JSON') });

export const queryProgressSchema = z.object({
  objectsTotal: z.number().int(),
  objectsScanned: z.number().int(),
  rowsScanned: z.number().int(),
  bytesScanned: z.number().int().describe('the catalogued size of the archive objects the query reads'),
  liveRecords: z.number().int().describe('records read from Kinesis (not archived yet)'),
});

export const queryStatusSchema = z.object({
  id: z.uuid(),
  state,
  engine,
  sql: z.string(),
  submittedAt: z.string().describe('ISO-8601'),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  progress: queryProgressSchema,
  columns: z.array(column).optional(),
  rowCount: z.number().int().optional(),
  truncated: z.boolean().optional(),
  warnings: z.array(z.string()),
  error: queryError.optional(),
});

export const queryCreatedSchema = queryStatusSchema.extend({ links: z.object({ self: z.string(), results: z.string() }) });

export const queryHistorySchema = z.object({
  items: z.array(
    z.object({
      id: z.uuid(),
      state,
      engine,
      sql: z.string(),
      submittedAt: z.string(),
      startedAt: z.string().optional(),
      finishedAt: z.string().optional(),
      durationMs: z.number(),
      rowCount: z.number().int().optional(),
      rowsScanned: z.number().int(),
      bytesScanned: z.number().int(),
      error: queryError.optional(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

const row = z.record(z.string(), z.unknown()).describe('one row: BLOBs base64, timestamps ISO-8601 UTC, JSON columns as JSON values');

export const resultPageSchema = z.object({
  columns: z.array(column),
  rowCount: z.number().int().describe('rows in the whole result'),
  truncated: z.boolean().describe('the query produced more rows than FLUX_QUERY_MAX_ROWS; the rest were dropped'),
  nextCursor: z.string().nullable(),
  rows: z.array(row),
});

export const syncResultSchema = z.object({
  columns: z.array(column),
  rowCount: z.number().int(),
  truncated: z.boolean(),
  stats: z.object({ engine, progress: queryProgressSchema, warnings: z.array(z.string()), startedAt: z.string().optional(), finishedAt: z.string().optional() }),
  rows: z.array(row),
});

export type QueryStatusResponse = z.infer<typeof queryStatusSchema>;
export type QueryCreatedResponse = z.infer<typeof queryCreatedSchema>;
export type QueryHistoryResponse = z.infer<typeof queryHistorySchema>;
