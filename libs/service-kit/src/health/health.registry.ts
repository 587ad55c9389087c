import { Injectable } from '@nestjs/common';

export interface HealthReport {
  status: 'up' | 'down' | 'degraded';
  [detail: string]: unknown;
}

export type HealthCheckFn = () => Promise<HealthReport>;

/**
 * Feature modules register the checks of what they depend on (Postgres, SQS, S3, Kinesis, their own lag);
 * /health runs them all through terminus. `degraded` means working but at risk, and still answers 200.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();

  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  /** The checks, each bounded by a timeout so one hung dependency cannot hang /health. */
  entries(timeoutMs = 3000): [string, HealthCheckFn][] {
    return [...this.checks].map(([name, check]) => [
      name,
      async (): Promise<HealthReport> => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<HealthReport>((resolve) => {
          timer = setTimeout(() => resolve({ status: 'down', error: `no answer within ${timeoutMs} ms` }), timeoutMs);
        });
        try {
          return await Promise.race([check(), timeout]);
        } catch (err) {
          return { status: 'down', error: err instanceof Error ? err.message : String(err) };
        } finally {
          clearTimeout(timer);
        }
      },
    ]);
  }
}
