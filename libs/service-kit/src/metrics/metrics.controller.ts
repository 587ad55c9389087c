import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { register } from 'prom-client';

/** Prometheus text exposition of the process-wide default registry. */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  @Get()
  @ApiOperation({ summary: 'Prometheus metrics (text exposition format); no authentication' })
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text exposition', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('Content-Type', register.contentType)
  metrics(): Promise<string> {
    return register.metrics();
  }
}
