import { CLOUDWATCH_NAMESPACE, CloudWatchMetrics } from '@flux-capacitor/contracts';
import { EmfWriter, emfEvent } from './emf';

describe('CloudWatch embedded metric format', () => {
  it('publishes the archiver lag under the Stream dimension and without one, as top-level fields', () => {
    const event = emfEvent({ metric: CloudWatchMetrics.ArchiverOldestUnarchivedAge, value: 42.5, dimensions: { Stream: 'orders' }, alsoWithoutDimensions: true }, { Service: 'archiver' }, 1796140000000);
    expect(event).toEqual({
      _aws: {
        Timestamp: 1796140000000,
        CloudWatchMetrics: [{ Namespace: 'FluxCapacitor', Dimensions: [['Stream'], []], Metrics: [{ Name: 'ArchiverOldestUnarchivedAgeSeconds', Unit: 'Seconds' }] }],
      },
      Service: 'archiver',
      Stream: 'orders',
      ArchiverOldestUnarchivedAgeSeconds: 42.5,
    });
  });

  it('publishes a metric without dimensions under one empty dimension set', () => {
    const event = emfEvent({ metric: CloudWatchMetrics.ReplaysFailed, value: 1 }, {}, 1);
    expect(event).toEqual({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: CLOUDWATCH_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: 'ReplaysFailed', Unit: 'Count' }] }] },
      ReplaysFailed: 1,
    });
  });

  it('names every dimension and metric of a line as a top-level field, as CloudWatch requires', () => {
    const event = emfEvent({ metric: CloudWatchMetrics.ArchiverOldestUnarchivedAge, value: 3, dimensions: { Stream: 's' } });
    const directive = (event._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0];
    expect(directive.Dimensions).toEqual([['Stream']]);
    for (const key of [...directive.Dimensions.flat(), ...directive.Metrics.map((m) => m.Name)]) expect(event).toHaveProperty(key);
    expect(typeof (event._aws as { Timestamp: unknown }).Timestamp).toBe('number');
  });

  it('writes one JSON line per value when enabled, and nothing when disabled', () => {
    const lines: string[] = [];
    new EmfWriter(true, { Service: 'replay-coordinator' }, (l) => lines.push(l)).emit({ metric: CloudWatchMetrics.ReplaysFailed, value: 1 });
    new EmfWriter(false, {}, (l) => lines.push(l)).emit({ metric: CloudWatchMetrics.ReplaysFailed, value: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].trimEnd()).not.toContain('\n');
    expect(JSON.parse(lines[0])).toMatchObject({ Service: 'replay-coordinator', ReplaysFailed: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'FluxCapacitor' }] } });
  });
});
