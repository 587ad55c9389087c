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
import { ArchiveStatusReader } from '@flux-capacitor/shard-archiver';
import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { archivedStreamsResponseSchema, streamShardsResponseSchema, type ArchivedStreamsResponse, type StreamShardsResponse } from './dto/archive-status-responses.dto';

const streamPipe = new ZodValidationPipe(streamNameSchema);

/**
 * Archiving status of the whole cluster, read from Postgres (each lease holder writes its shards' status with its
 * heartbeat), so any archiver instance answers for every shard. A token limited to streams sees only those.
 */
@ApiTags('archiver')
@ApiBearerAuth()
@RequireRole('query')
@UseGuards(StreamParamGuard)
@Controller('v1/streams')
export class ArchiveStatusController {
  constructor(private readonly reader: ArchiveStatusReader) {}

  @Get()
  @ApiOperation({ summary: 'Archived streams: retention, shard count, the worst lag and oldest unarchived record over their shards, and whether records are at risk' })
  @ApiJsonResponse(archivedStreamsResponseSchema, { description: 'the streams the token may read' })
  @ApiProblems({ 401: STREAM_ROUTE_PROBLEMS[401], 403: 'FORBIDDEN: the token lacks the query role' })
  async listStreams(@CurrentPrincipal() principal?: Principal): Promise<ArchivedStreamsResponse> {
    return { streams: (await this.reader.listStreams()).filter((s) => mayAccessStream(principal, s.stream)) };
  }

  @Get(':stream/shards')
  @ApiOperation({ summary: "A stream's shards: lease holder and expiry, checkpoint, lag, oldest unarchived record, at risk" })
  @ApiJsonResponse(streamShardsResponseSchema)
  @ApiProblems(STREAM_ROUTE_PROBLEMS)
  @ApiProblemResponse(404, 'STREAM_NOT_ARCHIVED: no archiver knows this stream')
  async listShards(@Param('stream', streamPipe) stream: string): Promise<StreamShardsResponse> {
    const status = await this.reader.getStream(stream);
    if (!status) {
      throw new FluxError('not-found', 'STREAM_NOT_ARCHIVED', `no archiver archives stream ${stream} (see FLUX_ARCHIVER_STREAMS)`, { details: { stream } });
    }
    return status;
  }
}
