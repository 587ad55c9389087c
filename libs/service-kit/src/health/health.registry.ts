import { Injectable } from '@nestjs/common';

export interface HealthReport {
  status: 'up' | 'down' | 'degraded';
  [detail: string]: unknown;
}

export type HealthCheckFn = () => Promise<HealthReport>;

/**
 * Feature modules register the checks of what they depend on (Postgres, SQS, S3, Kinesis, their own lag);
 * /health runs them all. `degraded` means working but at risk, and still answers 200.
 */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, HealthCheckFn>();

  register(name: string, check: HealthCheckFn): void {
    this.checks.set(name, check);
  }

  async run(timeoutMs = 5000): Promise<{ status: HealthReport['status']; checks: Record<string, HealthReport> }> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, HealthReport]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<HealthReport>((resolve) => {
            timer = setTimeout(() => resolve({ status: 'down', error: `no answer within ${timeoutMs} ms` }), timeoutMs);
          });
          return [name, await Promise.race([check(), timeout])];
        } catch (err) {
          return [name, { status: 'down', error: err instanceof Error ? err.message : String(err) }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const statuses = entries.map(([, r]) => r.status);
    const status = statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'up';
    return { status, checks };
  }
}
