import { describe, expect, it } from 'vitest';
import { activitySeries, formatDuration, mergeStreams, schemaTree, searchSqlFor, shardRows, type ArchiverShard, type ArchiverStream, type CatalogStream } from './streams-model';

const catalog = (name: string): CatalogStream => ({
  name,
  format: 'json',
  objectCount: 1,
  recordCount: 10,
  bytes: 100,
  partitionCount: 1,
  firstArrivalTime: null,
  lastArrivalTime: null,
  schemaVersion: 1,
  corruptObjectCount: 0,
});
const archived = (stream: string, over: Partial<ArchiverStream> = {}): ArchiverStream => ({
  stream,
  retentionHours: 24,
  shardCount: 2,
  maxMillisBehindLatest: 1000,
  oldestUnarchivedAgeMs: 1000,
  atRisk: false,
  ...over,
});

describe('mergeStreams', () => {
  it('puts streams past half their retention first, then lagging ones, then catalog-only ones, then healthy ones', () => {
    const rows = mergeStreams(
      [catalog('a-healthy'), catalog('b-catalog-only'), catalog('c-lagging'), catalog('d-at-risk')],
      [archived('a-healthy'), archived('c-lagging', { maxMillisBehindLatest: 10 * 60_000 }), archived('d-at-risk', { oldestUnarchivedAgeMs: 13 * 3_600_000 }), archived('e-archiver-only')],
    );
    expect(rows.map((r) => [r.name, r.health])).toEqual([
      ['d-at-risk', 'at-risk'],
      ['c-lagging', 'lagging'],
      ['b-catalog-only', 'not-archived'],
      ['a-healthy', 'healthy'],
      ['e-archiver-only', 'healthy'],
    ]);
    expect(rows[0].retentionShare).toBeCloseTo(13 / 24);
    expect(rows.find((r) => r.name === 'e-archiver-only')?.catalog).toBeNull();
  });

  it('calls a stream unknown, not unarchived, while the archiver does not answer', () => {
    expect(mergeStreams([catalog('a')], [], false)[0].health).toBe('unknown');
    expect(mergeStreams([catalog('a')], [], true)[0].health).toBe('not-archived');
  });

  it("trusts the archiver's atRisk flag even without a known retention", () => {
    const [row] = mergeStreams([], [archived('x', { retentionHours: null, atRisk: true })]);
    expect(row.health).toBe('at-risk');
    expect(row.retentionShare).toBeNull();
  });
});

describe('shardRows', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  const shard = (shardId: string, over: Partial<ArchiverShard> = {}): ArchiverShard => ({
    shardId,
    owner: 'archiver-1',
    leaseExpiresAt: '2026-12-01T12:00:20Z',
    checkpointSequence: '4966',
    millisBehindLatest: 0,
    oldestUnarchivedAgeMs: 5000,
    statusUpdatedAt: '2026-12-01T11:59:55Z',
    atRisk: false,
    ...over,
  });

  it('says since when a shard without a heartbeat was last heard of, and marks one past half the retention at risk', () => {
    const rows = shardRows(
      [shard('shardId-0'), shard('shardId-1', { statusUpdatedAt: '2026-12-01T11:50:00Z', leaseExpiresAt: '2026-12-01T11:50:30Z' }), shard('shardId-2', { oldestUnarchivedAgeMs: 2 * 3_600_000 })],
      3,
      now,
    );
    expect(rows.map((r) => [r.shardId, r.health, r.silentSince])).toEqual([
      ['shardId-2', 'at-risk', null],
      ['shardId-1', 'stale', '2026-12-01T11:50:00Z'],
      ['shardId-0', 'healthy', null],
    ]);
  });

  it('counts a shard no archiver ever reported on as stale', () => {
    expect(shardRows([shard('s', { owner: null, leaseExpiresAt: null, statusUpdatedAt: null })], 24, now)[0]).toMatchObject({ health: 'stale', silentSince: null });
  });
});

describe('activitySeries', () => {
  it('fills hours without objects with zero and adds up two locations of one hour', () => {
    const now = Date.parse('2026-12-01T12:30:00Z');
    const p = (startsAt: string, recordCount: number) => ({ dt: startsAt.slice(0, 10), hour: 0, location: startsAt, startsAt, objectCount: 1, recordCount, bytes: recordCount * 10 });
    const series = activitySeries([p('2026-12-01T10:00:00.000Z', 5), p('2026-12-01T12:00:00.000Z', 7), p('2026-12-01T12:00:00.000Z', 1)], now, 3);
    expect(series).toEqual([
      { hour: '12-01 10:00', startsAt: '2026-12-01T10:00:00.000Z', records: 5, bytes: 50 },
      { hour: '12-01 11:00', startsAt: '2026-12-01T11:00:00.000Z', records: 0, bytes: 0 },
      { hour: '12-01 12:00', startsAt: '2026-12-01T12:00:00.000Z', records: 8, bytes: 80 },
    ]);
  });
});

describe('schemaTree', () => {
  const f = (path: string, types: string[], nullable = false) => ({ path, types, nullable, firstSeen: '', lastSeen: '' });

  it('orders parents before children and marks fields added or changed since the previous version', () => {
    const previous = [f('id', ['string']), f('total', ['integer']), f('items', ['array']), f('items[].sku', ['string']), f('gone', ['boolean'])];
    const { nodes, removed } = schemaTree(
      [f('id', ['string']), f('total', ['integer', 'number']), f('items', ['array']), f('items[].sku', ['string'], true), f('customer.email', ['string'])],
      previous,
    );
    expect(nodes.map((n) => [n.path, n.depth, n.change])).toEqual([
      ['customer', 0, null],
      ['customer.email', 1, 'added'],
      ['id', 0, null],
      ['items', 0, null],
      ['items[].sku', 1, 'nullability'],
      ['total', 0, 'types'],
    ]);
    expect(nodes.find((n) => n.path === 'customer')?.field).toBeNull();
    expect(nodes.find((n) => n.path === 'total')?.before).toEqual({ types: ['integer'], nullable: false });
    expect(removed.map((r) => r.path)).toEqual(['gone']);
  });

  it('marks nothing for the first version', () => {
    expect(schemaTree([f('id', ['string'])], null).nodes[0].change).toBeNull();
  });
});

describe('formatDuration', () => {
  it.each([
    [999, '1 s'],
    [61_000, '1 min 1 s'],
    [3_600_000 * 25, '1 d 1 h'],
    [null, '–'],
  ])('%s ms reads %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('searchSqlFor', () => {
  it("reads the stream's last hour, quoting a name that is not a plain identifier", () => {
    const now = Date.parse('2026-12-01T12:30:00Z');
    expect(searchSqlFor('orders', now)).toContain("FROM orders\nWHERE arrival_time >= TIMESTAMP '2026-12-01 11:30:00'");
    expect(searchSqlFor('orders-replay', now)).toContain('FROM "orders-replay"');
  });
});
