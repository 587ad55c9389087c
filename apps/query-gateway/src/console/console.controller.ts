import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

/** What the browser needs to reach the services: their public base URLs (null: not configured). */
export interface ConsoleSettings {
  /** the gateway itself; "" means the console's own origin */
  queryUrl: string;
  catalogUrl: string | null;
  replayUrl: string | null;
  archiverUrl: string | null;
}

/** `GET /console-config.json`: no auth, since the console needs it before the user has signed in; it holds only URLs. */
@ApiTags('console')
@Controller()
export class ConsoleController {
  constructor(@Inject(FLUX_CONFIG) private readonly config: FluxConfig) {}

  @Get('console-config.json')
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'Public base URLs the web console uses for the other services (null: not configured). No authentication.' })
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['queryUrl', 'catalogUrl', 'replayUrl', 'archiverUrl'],
      properties: { queryUrl: { type: 'string' }, catalogUrl: { type: 'string', nullable: true }, replayUrl: { type: 'string', nullable: true }, archiverUrl: { type: 'string', nullable: true } },
    },
  })
  settings(): ConsoleSettings {
    const { catalog, replay, archiver } = this.config.console.urls;
    return { queryUrl: '', catalogUrl: catalog, replayUrl: replay, archiverUrl: archiver };
  }
}
