import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, register } from 'prom-client';
import { CatalogMetrics, compactionMetrics, metastoreMetrics } from '@flux-capacitor/archive-catalog';
import { queryMetrics } from '@flux-capacitor/query-engine';
import { replayMetrics } from '@flux-capacitor/replay';
import { HealthRegistry, httpRequestDuration, registerHealthGauge } from '@flux-capacitor/service-kit';
import { ArchiverMetrics } from '@flux-capacitor/shard-archiver';
import { queueDepthGauge, sqsMetrics } from '@flux-capacitor/sqs-transport';

export const ROOT = join(__dirname, '../..');

export interface RegisteredMetric {
  name: string;
  type: string;
  help: string;
  labels: string[];
}

/**
 * Every metric any service registers, on prom-client's default registry: what the services' `/metrics` serve
 * (each service serves the subset its modules load). The modules are referenced so the bundler keeps them.
 */
export function registeredMetrics(): RegisteredMetric[] {
  void [metastoreMetrics, compactionMetrics, queryMetrics, replayMetrics, sqsMetrics];
  new ArchiverMetrics();
  httpRequestDuration();
  registerHealthGauge(new HealthRegistry());
  queueDepthGauge();
  // the catalog's gauge registers itself at module init; its collect (a database count) runs only on a scrape
  new CatalogMetrics({} as never).onModuleInit();
  if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
  // prom-client's metric objects carry their name, type, help and label names (its typings show only MetricObject)
  return (register.getMetricsAsArray() as unknown as { name: string; type: string; help: string; labelNames?: string[] }[]).map((m) => ({
    name: m.name,
    type: String(m.type),
    help: m.help,
    labels: [...(m.labelNames ?? [])].sort(),
  }));
}

/** Node's default metrics (prom-client collectDefaultMetrics): documented as a group, not row by row. */
export const isNodeDefault = (name: string) => /^(process_|nodejs_)/.test(name);

export interface TableRow {
  name: string;
  type: string;
  labels: string[];
  meaning: string;
}

/** The rows of the metrics table in docs/operations.md (`| \`name\` | type | labels | meaning |`). */
export function metricsTable(): TableRow[] {
  const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
  const start = doc.indexOf('<!-- metrics-table:start -->');
  const end = doc.indexOf('<!-- metrics-table:end -->');
  if (start < 0 || end < start) throw new Error('docs/operations.md has no metrics table markers');
  return doc
    .slice(start, end)
    .split('\n')
    .filter((l) => /^\| `flux_/.test(l))
    .map((l) => {
      const [name, type, labels, meaning] = l.split('|').slice(1, -1).map((c) => c.trim());
      return {
        name: name.replace(/`/g, ''),
        type,
        labels: labels === '–' || labels === '' ? [] : labels.split(',').map((s) => s.replace(/`/g, '').trim()).sort(),
        meaning,
      };
    });
}

/** The metric names a PromQL expression reads (histogram series mapped back to the histogram). */
export function metricsIn(expr: string): string[] {
  const names = expr.match(/\b(flux_[a-z0-9_]+|process_[a-z0-9_]+|nodejs_[a-z0-9_]+|up)\b/g) ?? [];
  return [...new Set(names)];
}

/** Whether `name` (a series name as written in PromQL) belongs to a registered metric. */
export function seriesExists(name: string, registered: RegisteredMetric[]): boolean {
  if (name === 'up') return true; // Prometheus' own scrape-health series
  return registered.some(
    (m) => m.name === name || (m.type === 'histogram' && [`${m.name}_bucket`, `${m.name}_count`, `${m.name}_sum`].includes(name)),
  );
}
