import { ageVsRetention, renderStatusReport, statusExitCode, type ShardStatus, type StatusReport } from './status.command';

describe('fluxcap status rendering', () => {
  it('shows the oldest unarchived age against the retention', () => {
    expect(ageVsRetention(4_000, 24)).toBe('4s (0.0% of 24h)');
    expect(ageVsRetention(13 * 3_600_000, 24)).toBe('13h 00m (54% of 24h)');
    expect(ageVsRetention(90_000, null)).toBe('1m 30s');
    expect(ageVsRetention(null, 24)).toBe('');
  });

  it('flags shards at risk and lists dead-letter queues', () => {
    const text = renderStatusReport({
      services: [{ service: 'archiver', url: 'http://127.0.0.1:7101', status: 'ok' }],
      streams: [
        {
          stream: 'orders',
          retentionHours: 24,
          shards: [
            { shardId: 'shardId-000000000000', owner: 'a-1', leaseExpiresAt: null, checkpointSequence: '1', millisBehindLatest: 0, oldestUnarchivedAgeMs: 1_000, statusUpdatedAt: null, atRisk: false },
            { shardId: 'shardId-000000000001', owner: null, leaseExpiresAt: null, checkpointSequence: null, millisBehindLatest: null, oldestUnarchivedAgeMs: 13 * 3_600_000, statusUpdatedAt: null, atRisk: true },
          ],
        },
      ],
      deadLetterQueues: [{ queue: 'flux-catalog-dlq', messages: 2 }],
    });
    expect(text).toContain('stream orders: 2 shard(s), retention 24h; 1 AT RISK');
    expect(text).toMatch(/shardId-000000000001\s+13h 00m \(54% of 24h\)\s+yes/);
    expect(text).toMatch(/flux-catalog-dlq\s+2/);
  });
});

describe('fluxcap status exit code', () => {
  const shard = (atRisk: boolean): ShardStatus => ({
    shardId: 'shardId-000000000000',
    owner: 'a-1',
    leaseExpiresAt: null,
    checkpointSequence: '1',
    millisBehindLatest: 0,
    oldestUnarchivedAgeMs: 1_000,
    statusUpdatedAt: null,
    atRisk,
  });
  const healthy: StatusReport = {
    services: [
      { service: 'archiver', url: 'http://127.0.0.1:7101', status: 'ok' },
      { service: 'catalog', url: 'http://127.0.0.1:7102', status: 'ok' },
    ],
    streams: [{ stream: 'orders', retentionHours: 24, shards: [shard(false), shard(false)] }],
    deadLetterQueues: [{ queue: 'flux-catalog-dlq', messages: 3 }],
  };

  it('is 0 when every service is ok and no shard is at risk (dead letters only inform)', () => {
    expect(statusExitCode(healthy)).toBe(0);
    expect(statusExitCode({ services: [], streams: null, deadLetterQueues: null })).toBe(0);
  });

  it('is 1 for a service down or unreachable, unreadable archiver streams, or a shard at risk', () => {
    expect(statusExitCode({ ...healthy, services: [{ ...healthy.services[0], status: 'down', detail: 'database' }, healthy.services[1]] })).toBe(1);
    expect(statusExitCode({ ...healthy, services: [healthy.services[0], { ...healthy.services[1], status: 'unreachable' }] })).toBe(1);
    expect(statusExitCode({ ...healthy, streams: null, streamsError: 'archiver unreachable at http://127.0.0.1:7101: ECONNREFUSED' })).toBe(1);
    expect(statusExitCode({ ...healthy, streams: [{ stream: 'orders', retentionHours: 24, shards: [shard(false), shard(true)] }] })).toBe(1);
  });
});
