import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { decodeJobCursor } from '@flux-capacitor/query-engine';
import { z } from 'zod';

/** Longest SQL text a query may have, in characters (documented in docs/query.md). */
export const MAX_SQL_LENGTH = 100_000;

export const createQuerySchema = z.object({
  sql: z.string().min(1, 'sql is required').max(MAX_SQL_LENGTH, `sql is longer than ${MAX_SQL_LENGTH} characters, the most a query may have`),
  engine: z.enum(['duckdb', 'drill']).optional(),
});

/** Body of POST /v1/queries and POST /v1/query. */
export class CreateQueryDto {
  @ApiProperty({ example: `SELECT payload->>'type' AS type, count(*) FROM "orders" GROUP BY 1`, description: 'One read-only SELECT/WITH statement; each stream is a table.' })
  sql!: string;

  @ApiPropertyOptional({ enum: ['duckdb', 'drill'], description: 'Engine; defaults to FLUX_QUERY_ENGINE.' })
  engine?: 'duckdb' | 'drill';
}

export const RESULT_FORMATS = ['json', 'ndjson', 'csv', 'parquet'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const resultsQuerySchema = z.object({
  format: z.enum(RESULT_FORMATS).optional(),
  cursor: z.string().regex(/^\d{1,15}$/, 'cursor must be the nextCursor of a previous page').optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
});

/** Query string of GET /v1/queries (the caller's history). */
export const listQueriesSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .max(200, 'cursor must be the nextCursor of a previous page')
    .transform((text, ctx) => {
      const cursor = decodeJobCursor(text);
      if (!cursor) ctx.addIssue({ code: 'custom', message: 'cursor must be the nextCursor of a previous page' });
      return cursor ?? undefined;
    })
    .optional(),
});
