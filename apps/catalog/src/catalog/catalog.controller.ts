import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { FluxError, streamNameSchema } from '@flux-capacitor/contracts';
import {
  ApiJsonResponse,
  ApiProblemResponse,
  ApiProblems,
  CurrentPrincipal,
  mayAccessStream,
  RequireRole,
  StreamParamGuard,
  STREAM_ROUTE_PROBLEMS,
  ZodValidationPipe,
  type Principal,
} from '@flux-capacitor/service-kit';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import {
  corruptObjectsResponseSchema,
  partitionsResponseSchema,
  schemaResponseSchema,
  streamsResponseSchema,
  type CorruptObjectsResponse,
  type PartitionsResponse,
  type SchemaResponse,
  type StreamsResponse,
} from './dto/catalog-responses.dto';

const streamPipe = new ZodValidationPipe(streamNameSchema);

const rangeSchema = z.object({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
});

const schemaQuery = z.object({
  version: z
    .string()
    .regex(/^[1-9]\d{0,8}$/, { message: 'must be a schema version number (1, 2, ...)' })
    .transform(Number)
    .optional(),
});


/** Read API of the catalog: streams, their partitions and their inferred schema; a token limited to streams reads only those. */
@ApiTags('catalog')
@ApiBearerAuth()
@RequireRole('query')
@UseGuards(StreamParamGuard)
@Controller('v1/streams')
export class CatalogController {
  constructor(private readonly reader: CatalogReader) {}

  @Get()
  @ApiOperation({ summary: 'Catalogued streams with object, record and partition totals and the latest schema version' })
  @ApiJsonResponse(streamsResponseSchema, { description: 'the streams the token may read' })
  @ApiProblemResponse(401, 'no or an unknown bearer token')
  async listStreams(@CurrentPrincipal() principal?: Principal): Promise<StreamsResponse> {
    return { streams: (await this.reader.listStreams()).filter((s) => mayAccessStream(principal, s.name)) };
  }

  @Get(':stream/partitions')
  @ApiOperation({ summary: "A stream's dt/hour partitions overlapping [from, to], oldest first, with totals" })
  @ApiQuery({ name: 'from', type: String, required: false, description: 'ISO-8601 date-time; partitions ending after it' })
  @ApiQuery({ name: 'to', type: String, required: false, description: 'ISO-8601 date-time; partitions starting at or before it' })
  @ApiJsonResponse(partitionsResponseSchema)
  @ApiProblems(STREAM_ROUTE_PROBLEMS)
  @ApiProblemResponse(404, 'STREAM_NOT_FOUND: the catalog has no such stream')
  async listPartitions(
    @Param('stream', streamPipe) stream: string,
    @Query(new ZodValidationPipe(rangeSchema)) range: z.infer<typeof rangeSchema>,
  ): Promise<PartitionsResponse> {
    const from = range.from ? new Date(range.from) : undefined;
    const to = range.to ? new Date(range.to) : undefined;
    if (from && to && from > to) throw new FluxError('invalid-input', 'INVALID_REQUEST', 'from must not be after to');
    await this.requireStream(stream);
    return { stream, partitions: await this.reader.listPartitions(stream, { from, to }) };
  }

  @Get(':stream/schema')
  @ApiOperation({ summary: "A stream's latest inferred schema, or version N with ?version=N (field paths, types, nullability, first/last seen), and its versions" })
  @ApiQuery({ name: 'version', type: Number, required: false, description: 'a schema version (1, 2, ...); default the latest' })
  @ApiJsonResponse(schemaResponseSchema)
  @ApiProblems(STREAM_ROUTE_PROBLEMS)
  @ApiProblemResponse(404, 'STREAM_NOT_FOUND, SCHEMA_NOT_INFERRED (no schema yet), or SCHEMA_VERSION_NOT_FOUND (no such version)')
  async getSchema(@Param('stream', streamPipe) stream: string, @Query(new ZodValidationPipe(schemaQuery)) q: z.infer<typeof schemaQuery>): Promise<SchemaResponse> {
    await this.requireStream(stream);
    const schema = await this.reader.getSchema(stream, q.version);
    if (!schema && q.version !== undefined) {
      throw new FluxError('not-found', 'SCHEMA_VERSION_NOT_FOUND', `stream ${stream} has no schema version ${q.version}`, { details: { stream, version: q.version } });
    }
    if (!schema) throw new FluxError('not-found', 'SCHEMA_NOT_INFERRED', `no schema has been inferred for stream ${stream} yet`, { details: { stream } });
    return { ...schema, versions: (await this.reader.listSchemaVersions(stream)).map((v) => ({ version: v.version, firstSeen: v.firstSeen, lastSeen: v.lastSeen })) };
  }

  @Get(':stream/corrupt-objects')
  @ApiOperation({ summary: "A stream's archive objects that are not readable Parquet (truncated, corrupt footer), with the reason and when the catalog found it" })
  @ApiJsonResponse(corruptObjectsResponseSchema)
  @ApiProblems(STREAM_ROUTE_PROBLEMS)
  @ApiProblemResponse(404, 'STREAM_NOT_FOUND: the catalog has no such stream')
  async listCorruptObjects(@Param('stream', streamPipe) stream: string): Promise<CorruptObjectsResponse> {
    await this.requireStream(stream);
    return { stream, objects: (await this.reader.listCorruptObjects(stream)).map(({ uri, reason, detectedAt }) => ({ uri, reason, detectedAt })) };
  }

  private async requireStream(stream: string): Promise<void> {
    if (!(await this.reader.getStream(stream))) {
      throw new FluxError('not-found', 'STREAM_NOT_FOUND', `the catalog has no stream ${stream}`, { details: { stream } });
    }
  }
}
