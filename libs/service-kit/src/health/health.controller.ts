import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { ApiJsonResponse, openApiSchema } from '../openapi/openapi';
import { HealthRegistry } from './health.registry';

const indicatorSchema = z.record(z.string(), z.looseObject({ status: z.enum(['up', 'down']), degraded: z.boolean().optional() }));

/** The answer of GET /health (terminus' result plus the names of degraded checks). */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'error']),
  info: indicatorSchema.optional(),
  error: indicatorSchema.optional(),
  details: indicatorSchema,
  degraded: z.array(z.string()),
});

/** The answer of GET /health/live. */
export const livenessResponseSchema = z.object({ status: z.literal('ok') });

/**
 * Terminus health check over every registered dependency check. 200 with `status: "ok"` when all are up, 503
 * with `status: "error"` when any is down. A check that is up but at risk (the archiver falling behind) is
 * reported up with `degraded: true`, and listed in the top-level `degraded` array.
 *
 * Two probes for orchestrators: `/health/live` answers 200 while the process serves HTTP (a failing liveness probe
 * restarts the task, which would not bring back a database that is away), `/health/ready` is the dependency check
 * (a failing readiness probe only takes the task out of the load balancer). `/health` is `/health/ready`.
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly registry: HealthRegistry,
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: 200 while the process serves requests, whatever its dependencies; no authentication' })
  @ApiJsonResponse(livenessResponseSchema, { description: 'the process is up' })
  live(): z.infer<typeof livenessResponseSchema> {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: every dependency check (Postgres, SQS, archive, Kinesis, the service\'s own); no authentication' })
  @ApiJsonResponse(healthResponseSchema, { description: 'every check is up (some may be degraded: working but at risk)' })
  @ApiServiceUnavailableResponse({ description: 'a check is down', schema: openApiSchema(healthResponseSchema) })
  async ready(@Res() res: Response): Promise<void> {
    await this.check(res);
  }

  @Get()
  @ApiOperation({ summary: 'Readiness, as GET /health/ready (kept for existing clients); no authentication' })
  @ApiJsonResponse(healthResponseSchema, { description: 'every check is up (some may be degraded: working but at risk)' })
  @ApiServiceUnavailableResponse({ description: 'a check is down', schema: openApiSchema(healthResponseSchema) })
  async check(@Res() res: Response): Promise<void> {
    const degraded: string[] = [];
    const indicators: HealthIndicatorFunction[] = this.registry.entries().map(([name, run]) => async () => {
      const session = this.indicators.check(name);
      const { status, ...details } = await run();
      if (status === 'down') return session.down(details);
      if (status === 'degraded') degraded.push(name);
      return session.up(status === 'degraded' ? { ...details, degraded: true } : details);
    });
    try {
      const result: HealthCheckResult = await this.health.check(indicators);
      res.status(200).json({ ...result, degraded });
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      res.status(503).json({ ...(err.getResponse() as object), degraded });
    }
  }
}
