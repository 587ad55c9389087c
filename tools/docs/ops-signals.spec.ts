import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { metricsIn, registeredMetrics, ROOT, seriesExists } from './metrics-registry';

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
}
interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const registered = registeredMetrics();
const dashboard = JSON.parse(readFileSync(join(ROOT, 'ops/grafana/flux-capacitor.json'), 'utf8')) as { title: string; panels: Panel[] };
const rules = (parse(readFileSync(join(ROOT, 'ops/prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
const servicesStack = readFileSync(join(ROOT, 'infra/src/stacks/services-stack.ts'), 'utf8');
/** The CloudWatch alarms the CDK app creates, by the id before `-<stream|queue|service>`. */
const cloudWatchAlarms = [...servicesStack.matchAll(/alarm\([`']([A-Za-z0-9]+)/g)].map((m) => m[1]);

describe('Grafana dashboard (ops/grafana/flux-capacitor.json)', () => {
  const queried = dashboard.panels.filter((p) => p.type !== 'row');

  it('has the panels an operator needs, each with a query', () => {
    const titles = queried.map((p) => p.title.toLowerCase()).join('\n');
    for (const topic of ['oldest unarchived', 'records archived', 'objects written', 'queue backlog', 'dead-letter', 'queries per second', 'query duration', 'rejections', 'replay progress', 'replays finished', 'http 5xx']) {
      expect(titles).toContain(topic);
    }
    for (const p of queried) expect(p.targets?.length, p.title).toBeGreaterThan(0);
  });

  it('queries only metrics that a service registers', () => {
    const exprs = queried.flatMap((p) => p.targets!.map((t) => t.expr));
    const names = [...new Set(exprs.flatMap(metricsIn))];
    expect(names.length).toBeGreaterThan(15);
    expect(names.filter((n) => !seriesExists(n, registered))).toEqual([]);
  });
});

describe('Prometheus alert rules (ops/prometheus/alerts.yml)', () => {
  it('parse, and every rule has a name, an expression, a severity and a summary', () => {
    expect(rules.length).toBeGreaterThan(5);
    for (const r of rules) {
      expect(r.alert).toMatch(/^Flux[A-Za-z0-9]+$/);
      expect(r.expr.trim()).not.toBe('');
      expect(['warning', 'critical']).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toBeTruthy();
      if (r.for) expect(r.for).toMatch(/^\d+[smh]$/);
    }
  });

  it('reference only metrics that a service registers', () => {
    const unknown = rules.flatMap((r) => metricsIn(r.expr).filter((n) => !seriesExists(n, registered)).map((n) => `${r.alert}: ${n}`));
    expect(unknown).toEqual([]);
  });

  it('cover every CloudWatch alarm of the CDK app (named in a description), except those on AWS-only metrics', () => {
    // IteratorAge reads Kinesis' own metric; Aurora's capacity and storage are CloudWatch-only (FluxDatabaseUnreachable covers what the services see)
    const awsOnly = new Set(['IteratorAge']);
    expect(cloudWatchAlarms).toEqual(expect.arrayContaining(['ArchiverLag', 'DeadLetters', 'ReplayFailures', 'UnhealthyTargets', 'RunningTasks', 'Gateway5xx', 'DatabaseStorage']));
    const described = rules.map((r) => r.annotations?.description ?? '').join('\n');
    expect(cloudWatchAlarms.filter((a) => !awsOnly.has(a) && !described.includes(a))).toEqual([]);
  });

  it('links to sections of docs/operations.md that exist', () => {
    const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const anchors = new Set([...doc.matchAll(/^#+ (.+)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    const links = rules.flatMap((r) => [...(r.annotations?.description ?? '').matchAll(/docs\/operations\.md#([a-z0-9-]+)/g)].map((m) => m[1]));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });
});
