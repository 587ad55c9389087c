import { streamNameSchema } from '@flux-capacitor/contracts';
import { StreamTail } from '@flux-capacitor/query-engine';
import { ApiJsonResponse, ApiProblems, RequireRole, StreamParamGuard, STREAM_ROUTE_PROBLEMS, ZodValidationPipe } from '@flux-capacitor/service-kit';
import { Controller, Get, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { tailQuerySchema, tailResponseSchema, type TailQuery, type TailResponse } from './dto/tail.dto';

const streamPipe = new ZodValidationPipe(streamNameSchema);

/** The live tail of a stream: its newest records still in Kinesis, followed with a cursor (`fluxcap tail`, the console). */
@ApiTags('tail')
@ApiBearerAuth()
@RequireRole('query')
@UseGuards(StreamParamGuard)
@Controller('v1/streams')
export class TailController {
  constructor(private readonly tail: StreamTail) {}

  @Get(':stream/tail')
  @ApiOperation({
    summary:
      "The newest records still in Kinesis, across every shard, oldest first within a shard. Pass the answer's cursor to get what arrived since (empty records when nothing did); without one, start at `from`.",
  })
  @ApiQuery({ name: 'from', type: String, required: false, description: 'latest (default: only records that arrive after this call), earliest (everything Kinesis retains) or an ISO-8601 date-time' })
  @ApiQuery({ name: 'cursor', type: String, required: false, description: 'the cursor of the previous answer; wins over from' })
  @ApiQuery({ name: 'limit', type: Number, required: false, description: 'most records per answer, 1-1000 (default 100)' })
  @ApiJsonResponse(tailResponseSchema)
  @ApiProblems({
    ...STREAM_ROUTE_PROBLEMS,
    400: 'INVALID_REQUEST: a bad stream name, from or limit; INVALID_CURSOR: not a cursor of this API',
    404: 'STREAM_NOT_FOUND: Kinesis has no such stream',
    429: 'TAIL_THROTTLED: Kinesis throttles reads of the stream (Retry-After says when to try again)',
    503: 'LIVE_TAIL_UNAVAILABLE: Kinesis cannot be read right now',
  })
  async read(@Param('stream', streamPipe) stream: string, @Query(new ZodValidationPipe(tailQuerySchema)) q: TailQuery): Promise<TailResponse> {
    const start = q.from === 'latest' ? { type: 'latest' as const } : q.from === 'earliest' ? { type: 'earliest' as const } : { type: 'at' as const, time: new Date(q.from) };
    const page = await this.tail.read(stream, { start, cursor: q.cursor, limit: q.limit });
    return { stream, ...page };
  }
}
