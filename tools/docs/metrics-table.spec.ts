import { isNodeDefault, metricsTable, registeredMetrics, type RegisteredMetric } from './metrics-registry';

/** The Prometheus naming rules (prometheus.io "Metric and label naming"), as this project applies them. */
export function namingProblems(m: RegisteredMetric): string[] {
  const problems: string[] = [];
  const { name, type, help } = m;
  if (isNodeDefault(name)) return problems;
  if (!name.startsWith('flux_')) problems.push('does not start with flux_ (only Node default metrics go unprefixed)');
  if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push('is not snake_case');
  if (type === 'counter' && !name.endsWith('_total')) problems.push('is a counter without _total');
  if (type !== 'counter' && name.endsWith('_total')) problems.push('ends in _total but is not a counter');
  if (/millis|_ms\b|_ms_|milliseconds|_minutes|_hours/.test(name)) problems.push('measures time in a unit other than seconds');
  if (/(duration|_age|latency|lag)/.test(name) && !/_seconds(_total)?$/.test(name)) problems.push('a duration or age not in _seconds');
  if (/(timestamp|epoch|unix seconds)/i.test(`${name} ${help}`) && !name.endsWith('_timestamp_seconds')) problems.push('a timestamp not named _timestamp_seconds');
  if (/bytes/.test(name) && !/_bytes(_total)?$/.test(name)) problems.push('bytes not as the _bytes unit suffix');
  if (/sequence/i.test(`${name} ${help}`)) problems.push('carries a sequence number (a float cannot hold its 56 digits)');
  return problems;
}

describe('metrics', () => {
  const registered = registeredMetrics();
  const ours = registered.filter((m) => !isNodeDefault(m.name));
  const table = metricsTable();

  it('registers metrics from every service area, and Node default metrics without our prefix', () => {
    for (const area of ['archiver', 'catalog', 'query', 'replay', 'sqs', 'http']) expect(ours.some((m) => m.name.startsWith(`flux_${area}_`))).toBe(true);
    expect(registered.some((m) => m.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(registered.filter((m) => /^flux_(process|nodejs)_/.test(m.name))).toEqual([]);
  });

  it.each(ours.map((m) => [m.name, m] as const))('%s follows the naming rules', (_name, m) => {
    expect(namingProblems(m)).toEqual([]);
  });

  it('has a row in the docs/operations.md metrics table for every registered metric, with its type and labels', () => {
    const rows = new Map(table.map((r) => [r.name, r]));
    const missing = ours.filter((m) => !rows.has(m.name)).map((m) => m.name);
    expect(missing).toEqual([]);
    for (const m of ours) expect({ name: m.name, type: rows.get(m.name)!.type, labels: rows.get(m.name)!.labels }).toEqual({ name: m.name, type: m.type, labels: m.labels });
    for (const r of table) expect(r.meaning.length, `${r.name} has a meaning`).toBeGreaterThan(10);
  });

  it('lists no metric in the table that nothing registers', () => {
    const names = new Set(ours.map((m) => m.name));
    expect(table.filter((r) => !names.has(r.name)).map((r) => r.name)).toEqual([]);
  });

  it('catches the mistakes the rules are for', () => {
    const m = (name: string, type = 'gauge', help = 'x'): RegisteredMetric => ({ name, type, help, labels: [] });
    expect(namingProblems(m('flux_archiver_millis_behind_latest'))).not.toEqual([]);
    expect(namingProblems(m('flux_archiver_memory_waits', 'counter'))).not.toEqual([]);
    expect(namingProblems(m('flux_archiver_last_archived_arrival_seconds', 'gauge', 'Arrival time (epoch s)'))).not.toEqual([]);
    expect(namingProblems(m('flux_archiver_checkpoint', 'gauge', 'the last checkpointed sequence number'))).not.toEqual([]);
    expect(namingProblems(m('flux_process_cpu_user_seconds_total', 'counter'))).toEqual([]);
  });
});
