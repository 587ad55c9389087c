import { createReadStream } from 'node:fs';
import { FluxError } from '@flux-capacitor/contracts';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags, ApiTooManyRequestsResponse } from '@nestjs/swagger';
import { ANONYMOUS_OWNER, QueryJobs, QueryService, writeCsv, writeNdjson, type ResultSet } from '@flux-capacitor/query-engine';
import { ApiJsonResponse, ApiProblems, RequireRole, ZodValidationPipe, type Principal } from '@flux-capacitor/service-kit';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { CreateQueryDto, createQuerySchema, listQueriesSchema, resultsQuerySchema, type ResultFormat } from './dto/create-query.dto';
import {
  queryCreatedSchema,
  queryHistorySchema,
  queryStatusSchema,
  resultPageSchema,
  syncResultSchema,
  type QueryCreatedResponse,
  type QueryHistoryResponse,
  type QueryStatusResponse,
} from './dto/query-responses.dto';
import { QueryStreamsGuard } from './query-streams.guard';

const bodyPipe = new ZodValidationPipe(createQuerySchema);

/** What a submission answers when the gateway will not queue it (FairAdmission). */
const QueueFull = () =>
  ApiTooManyRequestsResponse({ description: 'QUERY_QUEUE_FULL: the queue, or this token\'s share of it (FLUX_QUERY_MAX_QUEUED[_PER_TOKEN]), is full; the Retry-After header says when to try again' });

const AUTH_PROBLEMS = { 401: 'UNAUTHENTICATED: no bearer token, or an unknown one', 403: 'FORBIDDEN: the token lacks the query role' } as const;
const BY_ID_PROBLEMS = { ...AUTH_PROBLEMS, 400: 'INVALID_REQUEST: the id is not a UUID', 404: 'QUERY_NOT_FOUND: no such query, or not the caller\'s; QUERY_RESULT_RELEASED' } as const;
const SUBMIT_PROBLEMS = {
  ...AUTH_PROBLEMS,
  400: 'INVALID_REQUEST, QUERY_SYNTAX, QUERY_INVALID, QUERY_REJECTED: the SQL or the body is not acceptable; `detail` says why',
  403: 'FORBIDDEN: the token lacks the query role, or STREAM_FORBIDDEN: the SQL reads a stream the token may not read',
  503: 'QUERY_STATE_UNAVAILABLE: the query state database cannot be reached',
} as const;


const CONTENT_TYPES: Record<Exclude<ResultFormat, 'json'>, string> = {
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

/** Whom a query counts against in the gateway's fair admission: the bearer token (its fingerprint). */
const ownerOf = (req: Request) => (req as Request & { principal?: Principal }).principal?.id ?? ANONYMOUS_OWNER;

/** Whose queries the caller may see by id: its own; an admin token over every stream sees all (undefined). */
function viewerOf(req: Request): string | undefined {
  const principal = (req as Request & { principal?: Principal }).principal;
  if (principal?.roles.has('admin') && principal.streams === undefined) return undefined;
  return ownerOf(req);
}

/** The format asked for: `?format=` wins, then the Accept header, then JSON pages. */
function formatOf(req: Request, explicit?: ResultFormat): ResultFormat {
  if (explicit) return explicit;
  const accept = req.headers.accept ?? '';
  if (accept.includes('application/x-ndjson')) return 'ndjson';
  if (accept.includes('text/csv')) return 'csv';
  if (accept.includes('parquet')) return 'parquet';
  return 'json';
}

async function writeStream(res: Response, result: ResultSet, format: Exclude<ResultFormat, 'json'>, id: string): Promise<void> {
  if (format === 'parquet') {
    const path = await result.exportParquet();
    if (!path) throw new FluxError('invalid-input', 'FORMAT_UNSUPPORTED', 'this engine cannot export Parquet; use json, ndjson or csv');
    res.status(200).type(CONTENT_TYPES.parquet).setHeader('content-disposition', `attachment; filename="${id}.parquet"`);
    await new Promise<void>((resolve, reject) => createReadStream(path).on('error', reject).pipe(res).on('finish', resolve).on('error', reject));
    return;
  }
  res.status(200).type(CONTENT_TYPES[format]);
  const write = (chunk: string) =>
    new Promise<void>((resolve) => {
      if (res.write(chunk)) resolve();
      else res.once('drain', resolve);
    });
  if (format === 'ndjson') await writeNdjson(result, write);
  else await writeCsv(result, write);
  res.end();
}

@ApiTags('queries')
@ApiBearerAuth()
@RequireRole('query')
@UseGuards(QueryStreamsGuard)
@Controller('v1')
export class QueryController {
  constructor(
    private readonly queries: QueryService,
    private readonly jobs: QueryJobs,
  ) {}

  @Post('queries')
  @HttpCode(202)
  @QueueFull()
  @ApiOperation({
    summary:
      'Start an asynchronous query; returns its id and state. Invalid or hostile SQL is refused with 400, a full queue with 429 and Retry-After. Any gateway replica answers for it afterwards; 503 when the query state database cannot be reached.',
  })
  @ApiJsonResponse(queryCreatedSchema, { status: 202, description: 'queued; poll `links.self`' })
  @ApiProblems(SUBMIT_PROBLEMS)
  async start(@Body(bodyPipe) body: CreateQueryDto, @Req() req: Request): Promise<QueryCreatedResponse> {
    const status = await this.jobs.submit(body, ownerOf(req));
    return { ...status, links: { self: `/v1/queries/${status.id}`, results: `/v1/queries/${status.id}/results` } };
  }

  @Get('queries')
  @ApiOperation({ summary: "The caller's recent queries (its bearer token's), newest first: state, duration, rows, rows and bytes scanned, error." })
  @ApiQuery({ name: 'limit', type: Number, required: false, description: 'queries per page (1-100, default 20)' })
  @ApiQuery({ name: 'cursor', type: String, required: false, description: 'nextCursor of the previous page' })
  @ApiJsonResponse(queryHistorySchema)
  @ApiProblems({ ...AUTH_PROBLEMS, 400: 'INVALID_REQUEST: a bad limit or cursor' })
  list(
    @Query(new ZodValidationPipe(listQueriesSchema)) q: z.infer<typeof listQueriesSchema>,
    @Req() req: Request & { principal: Principal },
  ): Promise<QueryHistoryResponse> {
    return this.jobs.list(req.principal.id, q.limit, q.cursor);
  }

  @Get('queries/:id')
  @ApiOperation({ summary: 'State and progress (objects, rows and bytes scanned, live records read) of a query.' })
  @ApiJsonResponse(queryStatusSchema)
  @ApiProblems(BY_ID_PROBLEMS)
  status(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<QueryStatusResponse> {
    return this.jobs.status(id, viewerOf(req));
  }

  @Get('queries/:id/results')
  @ApiOperation({ summary: 'Results: JSON pages with a cursor, or the whole result as NDJSON, CSV or Parquet (?format= or Accept).' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'ndjson', 'csv', 'parquet'] })
  @ApiQuery({ name: 'cursor', type: String, required: false, description: 'nextCursor of the previous page' })
  @ApiQuery({ name: 'limit', type: Number, required: false, description: 'rows per JSON page (1-10000, default 1000)' })
  // Only the JSON page is described, so typed clients get one body type; the streamed formats are in the summary.
  @ApiJsonResponse(resultPageSchema, { description: 'a JSON page; with ?format= or Accept, the whole result as application/x-ndjson, text/csv or application/vnd.apache.parquet' })
  @ApiProblems({ ...BY_ID_PROBLEMS, 409: 'QUERY_NOT_READY: still queued or running; QUERY_FAILED, QUERY_CANCELLED: no results' })
  async results(
    @Param('id', ParseUUIDPipe) id: string,
    @Query(new ZodValidationPipe(resultsQuerySchema)) q: z.infer<typeof resultsQuerySchema>,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.jobs.results(id, viewerOf(req));
    try {
      const format = formatOf(req, q.format);
      if (format !== 'json') return await writeStream(res, result, format, id);
      const offset = Number(q.cursor ?? 0);
      const lines = await result.readJsonLines(offset, q.limit);
      const next = offset + lines.length;
      res
        .status(200)
        .type('application/json')
        .send(
          `{"columns":${JSON.stringify(result.columns)},"rowCount":${result.rowCount},"truncated":${result.truncated},` +
            `"nextCursor":${next < result.rowCount ? JSON.stringify(String(next)) : 'null'},"rows":[${lines.join(',')}]}`,
        );
    } finally {
      result.close();
    }
  }

  @Delete('queries/:id')
  @ApiOperation({ summary: "Cancel a queued or running query (on whichever replica runs it), or release a finished one's results (it stays in the history)." })
  @ApiJsonResponse(queryStatusSchema)
  @ApiProblems(BY_ID_PROBLEMS)
  cancel(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<QueryStatusResponse> {
    return this.jobs.cancel(id, viewerOf(req));
  }

  @Post('query')
  @HttpCode(200)
  @QueueFull()
  @ApiOperation({ summary: 'Run a small query synchronously (row cap FLUX_QUERY_SYNC_MAX_ROWS); JSON, or ?format=ndjson|csv|parquet.' })
  @ApiJsonResponse(syncResultSchema, { description: 'the rows as JSON; with ?format= or Accept, as application/x-ndjson, text/csv or application/vnd.apache.parquet' })
  @ApiProblems(SUBMIT_PROBLEMS)
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'ndjson', 'csv', 'parquet'] })
  async runSync(
    @Body(bodyPipe) body: CreateQueryDto,
    @Query('format', new ZodValidationPipe(resultsQuerySchema.shape.format)) formatParam: ResultFormat | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const format = formatOf(req, formatParam);
    const { status, result } = await this.queries.runSync(body, ownerOf(req));
    try {
      if (format !== 'json') return await writeStream(res, result, format, status.id);
      const lines = await result.readJsonLines(0, result.rowCount);
      const stats = { engine: status.engine, progress: status.progress, warnings: status.warnings, startedAt: status.startedAt, finishedAt: status.finishedAt };
      res
        .status(200)
        .type('application/json')
        .send(`{"columns":${JSON.stringify(result.columns)},"rowCount":${result.rowCount},"truncated":${result.truncated},"stats":${JSON.stringify(stats)},"rows":[${lines.join(',')}]}`);
    } finally {
      result.close();
    }
  }
}
