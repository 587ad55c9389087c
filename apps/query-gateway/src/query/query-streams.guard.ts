import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';
import { QueryService } from '@flux-capacitor/query-engine';
import { assertStreamAccess, type Principal } from '@flux-capacitor/service-kit';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createQuerySchema } from './dto/create-query.dto';

/**
 * Per-stream access for the routes that start a query (POST /v1/queries, POST /v1/query): a token limited to
 * streams gets 403 naming the first stream the statement reads that it does not hold, before anything runs.
 * Runs after BearerAuthGuard (global guards first), so the caller is known.
 */
@Injectable()
export class QueryStreamsGuard implements CanActivate {
  constructor(
    private readonly queries: QueryService,
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const granted = req.principal?.streams;
    if (!granted || req.method !== 'POST') return true;
    const body = createQuerySchema.safeParse(req.body);
    if (!body.success) return true; // the route's body pipe answers 400 with the reasons
    // Drill resolves names in its own schemas, which the stream check cannot see: limited tokens stay on DuckDB.
    if ((body.data.engine ?? this.config.query.defaultEngine) === 'drill') {
      throw new FluxError('forbidden', 'ENGINE_FORBIDDEN', 'a token limited to streams may only query with the duckdb engine');
    }
    assertStreamAccess(req.principal, await this.queries.streamsOutsideGrant(body.data.sql, granted));
    return true;
  }
}
