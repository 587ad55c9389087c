import { Gauge, register } from 'prom-client';
import type { HealthRegistry } from '../health/health.registry';

const NAME = 'flux_health_check_up';
/** A scrape waits at most this long for a check (the checks' own bound on /health is 3 s). */
const WAIT_MS = 2_000;
/**
 * Results are reused for this long: several scrapers (and every task scraped) would otherwise run each check per
 * scrape, and some checks spend account-wide API quota (Kinesis ListStreams allows 5 calls a second per account).
 */
const REUSE_MS = 15_000;

/**
 * `flux_health_check_up{check}`: 1 when a readiness check (`/health/ready`: postgres, sqs, archive, kinesis, the
 * service's own) is up or degraded, 0 when down, run at scrape (at most every 15 s). The Prometheus twin of the load balancer's
 * unhealthy-target alarm: `up` says the process answers, this says what it cannot reach.
 */
export function registerHealthGauge(health: HealthRegistry): void {
  if (register.getSingleMetric(NAME)) register.removeSingleMetric(NAME);
  let last: { at: number; results: Promise<(readonly [string, { status: string }])[]> } | undefined;
  new Gauge({
    name: NAME,
    help: 'Readiness checks of /health/ready, run at scrape: 1 up (or degraded), 0 down',
    labelNames: ['check'],
    async collect() {
      if (!last || Date.now() - last.at >= REUSE_MS) {
        last = { at: Date.now(), results: Promise.all(health.entries(WAIT_MS).map(async ([check, run]) => [check, await run()] as const)) };
      }
      const results = await last.results;
      this.reset();
      for (const [check, report] of results) this.set({ check }, report.status === 'down' ? 0 : 1);
    },
  });
}
