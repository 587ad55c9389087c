import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { FluxError, streamNameSchema } from '@flux-capacitor/contracts';
import { CurrentPrincipal, mayAccessStream, RequireRole, StreamParamGuard, ZodValidationPipe, type Principal } from '@flux-capacitor/service-kit';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

const streamPipe = new ZodValidationPipe(streamNameSchema);

const rangeSchema = z.object({
  from: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
  to: z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time' }).optional(),
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
  @ApiOkResponse({ description: '{ streams: [...] }' })
  async listStreams(@CurrentPrincipal() principal?: Principal) {
    return { streams: (await this.reader.listStreams()).filter((s) => mayAccessStream(principal, s.name)) };
  }

  @Get(':stream/partitions')
  @ApiOperation({ summary: "A stream's dt/hour partitions overlapping [from, to], oldest first, with totals" })
  @ApiQuery({ name: 'from', required: false, description: 'ISO-8601 date-time; partitions ending after it' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO-8601 date-time; partitions starting at or before it' })
  @ApiNotFoundResponse({ description: 'the catalog has no such stream' })
  async listPartitions(@Param('stream', streamPipe) stream: string, @Query(new ZodValidationPipe(rangeSchema)) range: z.infer<typeof rangeSchema>) {
    const from = range.from ? new Date(range.from) : undefined;
    const to = range.to ? new Date(range.to) : undefined;
    if (from && to && from > to) throw new FluxError('invalid-input', 'INVALID_REQUEST', 'from must not be after to');
    await this.requireStream(stream);
    return { stream, partitions: await this.reader.listPartitions(stream, { from, to }) };
  }

  @Get(':stream/schema')
  @ApiOperation({ summary: "A stream's latest inferred schema (field paths, types, nullability, first/last seen) and its versions" })
  @ApiNotFoundResponse({ description: 'unknown stream, or no schema inferred yet' })
  async getSchema(@Param('stream', streamPipe) stream: string) {
    await this.requireStream(stream);
    const schema = await this.reader.getSchema(stream);
    if (!schema) throw new FluxError('not-found', 'SCHEMA_NOT_INFERRED', `no schema has been inferred for stream ${stream} yet`, { details: { stream } });
    return { ...schema, versions: (await this.reader.listSchemaVersions(stream)).map((v) => ({ version: v.version, firstSeen: v.firstSeen, lastSeen: v.lastSeen })) };
  }

  @Get(':stream/corrupt-objects')
  @ApiOperation({ summary: "A stream's archive objects that are not readable Parquet (truncated, corrupt footer), with the reason and when the catalog found it" })
  @ApiNotFoundResponse({ description: 'the catalog has no such stream' })
  async listCorruptObjects(@Param('stream', streamPipe) stream: string) {
    await this.requireStream(stream);
    return { stream, objects: (await this.reader.listCorruptObjects(stream)).map(({ uri, reason, detectedAt }) => ({ uri, reason, detectedAt })) };
  }

  private async requireStream(stream: string): Promise<void> {
    if (!(await this.reader.getStream(stream))) {
      throw new FluxError('not-found', 'STREAM_NOT_FOUND', `the catalog has no stream ${stream}`, { details: { stream } });
    }
  }
}
