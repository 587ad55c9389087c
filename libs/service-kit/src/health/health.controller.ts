import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';

@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  /** 200 when every dependency is up (or merely degraded), 503 when any is down. */
  @Get()
  async health(@Res() res: Response): Promise<void> {
    const report = await this.registry.run();
    res.status(report.status === 'down' ? 503 : 200).json(report);
  }
}
