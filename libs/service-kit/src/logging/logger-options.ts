import type { FluxConfig } from '@flux-capacitor/config';
import type { Params } from 'nestjs-pino';

/** Structured JSON logs (one object per line, `service` on each), or pretty lines for a terminal. */
export function loggerOptions(service: string, config: FluxConfig): Params {
  return {
    pinoHttp: {
      level: config.log.level,
      base: { service },
      // Health probes and scrapes every few seconds would drown everything else.
      autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
      redact: ['req.headers.authorization'],
      transport: config.log.format === 'pretty' ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
    },
  };
}
