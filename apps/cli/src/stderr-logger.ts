import type { LoggerService } from '@nestjs/common';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Nest logs as JSON lines on stderr, so stdout carries only the result (and stays parseable with --json). */
export function stderrLogger(level: string): LoggerService {
  const min = level === 'silent' ? Infinity : Math.max(0, LEVELS.indexOf(level as (typeof LEVELS)[number]));
  const write = (lvl: (typeof LEVELS)[number]) => (message: unknown, context?: string) => {
    if (LEVELS.indexOf(lvl) < min) return;
    const fields = typeof message === 'object' && message !== null ? message : { msg: String(message) };
    process.stderr.write(`${JSON.stringify({ level: lvl, time: new Date().toISOString(), context, ...fields })}\n`);
  };
  return { log: write('info'), warn: write('warn'), error: write('error'), debug: write('debug'), verbose: write('trace'), fatal: write('fatal') };
}
