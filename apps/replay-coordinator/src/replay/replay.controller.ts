import { parseReplayRequest, ReplayService, type ReplayState, type ReplayView } from '@flux-capacitor/replay';
import { ANONYMOUS_OWNER, FluxError } from '@flux-capacitor/contracts';
import { ApiJsonResponse, ApiProblems, assertStreamAccess, CurrentPrincipal, mayAccessStream, RequireRole, type Principal } from '@flux-capacitor/service-kit';
import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CREATE_REPLAY_EXAMPLE, CreateReplayDto } from './dto/create-replay.dto';
import {
  replayAuditSchema,
  replayListSchema,
  replayViewSchema,
  replayWatermarksSchema,
  type ReplayAuditResponse,
  type ReplayListResponse,
  type ReplayViewResponse,
  type ReplayWatermarksResponse,
} from './dto/replay-responses.dto';

const AUTH = { 401: 'UNAUTHENTICATED: no bearer token, or an unknown one', 403: 'FORBIDDEN: the token lacks the role' } as const;
const BY_ID = { ...AUTH, 400: 'INVALID_REQUEST: the id is not a UUID', 404: "REPLAY_NOT_FOUND: no such replay, or one over a stream the token may not use" } as const;
const TRANSITION = { ...BY_ID, 409: 'REPLAY_STATE_CONFLICT: not allowed in the replay\'s current state' } as const;

const STATES: ReplayState[] = ['planning', 'planned', 'running', 'paused', 'completed', 'failed', 'cancelled'];
const principalOf = (req: Request) => (req as Request & { principal?: Principal }).principal;
const actorOf = (req: Request) => principalOf(req)?.id ?? ANONYMOUS_OWNER;

/**
 * Another team's replay is answered as if it did not exist (404 REPLAY_NOT_FOUND, like an unknown id): a 403 would
 * confirm the id and name that team's streams.
 */
function assertReplayVisible(view: Pick<ReplayView, 'id' | 'source' | 'target'>, principal: Principal | undefined): void {
  if (!mayAccessStream(principal, view.source) || !mayAccessStream(principal, view.target)) {
    throw new FluxError('not-found', 'REPLAY_NOT_FOUND', `no replay ${view.id}`);
  }
}

@ApiTags('replays')
@ApiBearerAuth()
@Controller('v1/replays')
export class ReplayController {
  constructor(private readonly replays: ReplayService) {}

  @Post()
  @RequireRole('replay')
  @ApiOperation({ summary: 'Start a replay (or a dry run). The whole spec is validated first: an invalid one is answered 400 and nothing is written.' })
  @ApiBody({ type: CreateReplayDto, examples: { compacted: { value: CREATE_REPLAY_EXAMPLE } } })
  @ApiJsonResponse(replayViewSchema, { status: 201, description: 'created (a dry run ends in `planned`); Location names it' })
  @ApiProblems({ ...AUTH, 400: 'INVALID_REPLAY: the spec is invalid; `details.errors` lists every reason', 403: 'FORBIDDEN / STREAM_FORBIDDEN: the token lacks the replay role or the source or target stream' })
  async create(@Body() body: unknown, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<ReplayViewResponse> {
    // A token limited to streams must hold both the source and the target (an invalid spec is create's 400).
    const parsed = parseReplayRequest(body);
    if ('spec' in parsed) assertStreamAccess(principalOf(req), [parsed.spec.source, parsed.spec.target]);
    const view = await this.replays.create(body, actorOf(req));
    res.status(201).location(`/v1/replays/${view.id}`);
    return view;
  }

  @Get()
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'Replays, newest first, with paging (`nextCursor`).' })
  @ApiQuery({ name: 'limit', type: Number, required: false, description: '1-200, default 20' })
  @ApiQuery({ name: 'cursor', type: String, required: false })
  @ApiQuery({ name: 'state', required: false, enum: STATES })
  @ApiJsonResponse(replayListSchema, { description: 'the replays over streams the token may use' })
  @ApiProblems({ ...AUTH, 400: 'INVALID_REQUEST: a bad limit, cursor or state' })
  list(
    @Query('limit') limit?: string,
    @Query('cursor') cursor?: string,
    @Query('state') state?: string,
    @CurrentPrincipal() principal?: Principal,
  ): Promise<ReplayListResponse> {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw new FluxError('invalid-input', 'INVALID_REQUEST', 'limit must be a whole number from 1 to 200');
    if (state !== undefined && !STATES.includes(state as ReplayState)) throw new FluxError('invalid-input', 'INVALID_REQUEST', `state must be one of ${STATES.join(', ')}`);
    return this.replays.list(n, cursor, state as ReplayState | undefined, principal?.streams);
  }

  @Get(':id')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'A replay: state, plan, progress (records selected / put / failed, rate, ETA) and error.' })
  @ApiJsonResponse(replayViewSchema)
  @ApiProblems(BY_ID)
  async get(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal?: Principal): Promise<ReplayViewResponse> {
    const view = await this.replays.get(id);
    assertReplayVisible(view, principal);
    return view;
  }

  @Get(':id/watermarks')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: 'Per source shard, the last position the replay includes, and the source shard lineage: what the consumer SDK needs.' })
  @ApiJsonResponse(replayWatermarksSchema)
  @ApiProblems(BY_ID)
  async watermarks(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal?: Principal): Promise<ReplayWatermarksResponse> {
    await this.assertReplayAccess(id, principal);
    return this.replays.watermarks(id);
  }

  @Get(':id/audit')
  @RequireRole('replay', 'query')
  @ApiOperation({ summary: "The replay's audit trail: who created, paused, resumed or cancelled it and when, with the full spec and the counts." })
  @ApiJsonResponse(replayAuditSchema)
  @ApiProblems(BY_ID)
  async audit(@Param('id', ParseUUIDPipe) id: string, @CurrentPrincipal() principal?: Principal): Promise<ReplayAuditResponse> {
    await this.assertReplayAccess(id, principal);
    return this.replays.audit(id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @RequireRole('replay')
  @ApiOperation({ summary: 'Pause a planning or running replay; it stops after the records in flight and keeps its checkpoint. 409 in other states.' })
  @ApiJsonResponse(replayViewSchema)
  @ApiProblems(TRANSITION)
  async pause(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayViewResponse> {
    await this.assertReplayAccess(id, principalOf(req));
    return this.replays.request(id, 'pause', actorOf(req));
  }

  @Post(':id/resume')
  @HttpCode(200)
  @RequireRole('replay')
  @ApiOperation({ summary: 'Resume a paused replay from its checkpoint. 409 in other states.' })
  @ApiJsonResponse(replayViewSchema)
  @ApiProblems(TRANSITION)
  async resume(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayViewResponse> {
    await this.assertReplayAccess(id, principalOf(req));
    return this.replays.request(id, 'resume', actorOf(req));
  }

  @Delete(':id')
  @RequireRole('replay')
  @ApiOperation({ summary: 'Cancel a replay that has not ended. Records already written stay written.' })
  @ApiJsonResponse(replayViewSchema)
  @ApiProblems(TRANSITION)
  async cancel(@Param('id', ParseUUIDPipe) id: string, @Req() req: Request): Promise<ReplayViewResponse> {
    await this.assertReplayAccess(id, principalOf(req));
    return this.replays.request(id, 'cancel', actorOf(req));
  }

  /** 404 for no replay, and for one whose source or target a stream-limited caller does not hold. */
  private async assertReplayAccess(id: string, principal: Principal | undefined): Promise<void> {
    if (!principal?.streams) return;
    assertReplayVisible(await this.replays.get(id), principal);
  }
}
