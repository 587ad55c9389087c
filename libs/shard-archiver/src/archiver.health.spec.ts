import { archiverStatus, retentionWarnings, type ShardHealth } from './archiver.health';

const shard = (ageMs: number, retentionHours?: number): ShardHealth => ({
  stream: 'orders',
  shardId: 'shardId-000000000001',
  lastSequenceNumber: '1',
  millisBehindLatest: 0,
  oldestUnarchivedAgeMs: ageMs,
  records: 0,
  objects: 0,
  retentionHours,
});

describe('archiver health', () => {
  it('warns once the oldest unarchived record is past half the retention period', () => {
    expect(retentionWarnings([shard(12 * 3_600_000, 24)])).toEqual([]);
    expect(retentionWarnings([shard(12 * 3_600_000 + 1000, 24)])).toEqual([
      'orders/shardId-000000000001: oldest unarchived record is 43201 s old, past half the 24 h retention',
    ]);
    expect(retentionWarnings([shard(100 * 3_600_000)])).toEqual([]);
  });

  it('is degraded with warnings and down with errors', () => {
    expect(archiverStatus({}, [])).toBe('up');
    expect(archiverStatus({}, ['late'])).toBe('degraded');
    expect(archiverStatus({ orders: 'Kinesis stream "orders" does not exist' }, ['late'])).toBe('down');
  });
});
