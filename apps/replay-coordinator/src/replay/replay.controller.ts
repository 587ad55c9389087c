import { ReplayService, type ReplayState, type ReplayView, type ReplayWatermarksDocument } from '@flux-capacitor/replay';
import { FluxError } from '@flux-capacitor/contracts';
import { RequireRole, type Principal } from '@flux-capacitor/service-kit';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CREATE_REPLAY_EXAMPLE, CreateReplayDto } from './dto/create-replay.dto';

const STATES: ReplayState[] = ['planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled'];
const actorOf = (req: Request) => (req as Request & { principal?: Principal }).principal?.id ?? 'anonymous';

@ApiTags('replays')
@ApiBearerAuth()
@Controller('v1/replays')
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post()
  @RequireRole('replay')
  @ApiOperation({ summary: 'Start a replay (or a dry run). The whole spec is validated first: an invalid one is answered 400 and nothing is written.' })
  @ApiBody({ type: CreateReplayDto, examples: { compacted: { value: CREATE_REPLAY_EXAMPLE } } })
  async create(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ReplayView> {
    const view = await this.replays.create(body, actorOf(req));
    res.status(201).location(`/v1/replays/${view.id}`);
    return view;
  }

  @Get()
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'Replays, newest first, with paging (`nextCursor`).' })
  @ApiQuery({ name: 'limit', required: false, description: '1-200, default 20' })
  @ApiQuery({ name: 'cursor', required: false })
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  list(@Query('limit') limit?: string, @Query('cursor') cursor?: string, @Query('state') state?: string): Promise<{ items: ReplayView[]; nextCursor: string | null }> {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw new FluxError('invalid-input', 'INVALID_REQUEST', 'limit must be a whole number from 1 to 200');
    if (state !== undefined && !STATES.includes(state as ReplayState)) throw new FluxError('invalid-input', 'INVALID_REQUEST', `state must be one of ${STATES.join(', ')}`);
    return this.replays.list(n, cursor, state as ReplayState | undefined);
  }

  @Get(':id')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'A replay: state, plan, progress (records selected / put / failed, rate, ETA) and error.' })
  get(@Param('id', ParseUUIDPipe) id: string): Promise<ReplayView> {
    return this.replays.get(id);
  }

  @Get(':id/watermarks')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'Per source shard, the last position the replay includes, and the source shard lineage: what the consumer SDK needs.' })
  watermarks(@Param('id', ParseUUIDPipe) id: string): Promise<ReplayWatermarksDocument> {
    return this.replays.watermarks(id);
  }

  @Get(':id/audit')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: "The replay's audit trail: who created, paused, resumed or cancelled it and when, with the full spec and the counts." })
  audit(@Param('id', ParseUUIDPipe) id: string): Promise<{ items: unknown[] }> {
    return this.replays.audit(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireRole('replay')
  @ApiOperation({ summary: 'Pause a planning or running replay; it stops after the records in flight and keeps its checkpoint. 409 in other states.' })
  pause(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayView> {
    return this.replays.request(id, 'pause', actorOf(req));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireRole('replay')
  @ApiOperation({ summary: 'Resume a paused replay from its checkpoint. 409 in other states.' })
  resume(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayView> {
    return this.replays.request(id, 'resume', actorOf(req));
  }

  @Delete(':id')
  @RequireRole('replay')
  @ApiOperation({ summary: 'Cancel a replay that has not ended. Records already written stay written.' })
  cancel(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayView> {
    return this.replays.request(id, 'cancel', actorOf(req));
  }
}
