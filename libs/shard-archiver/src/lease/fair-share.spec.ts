import { leasesToTake, type FairShareInput } from './fair-share';
import type { ShardLeaseRow } from './lease.repository';

const row = (shardId: string, lease: Partial<ShardLeaseRow> = {}): ShardLeaseRow => ({
  stream: 's',
  shardId,
  parentShardIds: [],
  initialPosition: 'TRIM_HORIZON',
  initialTimestamp: null,
  owner: null,
  leaseCounter: '0',
  leaseExpiresAt: null,
  expired: true,
  checkpoint: null,
  finishedAt: null,
  ...lease,
});
const held = (shardId: string, owner: string) => row(shardId, { owner, expired: false });
const shards = (n: number) => Array.from({ length: n }, (_, i) => row(`shard-${i}`));

const plan = (over: Partial<FairShareInput>) =>
  leasesToTake({ workerId: 'me', rows: [], running: new Set(), runningTotal: 0, maxShards: 1000, stopping: false, ...over });
const ids = (rows: ShardLeaseRow[]) => rows.map((r) => r.shardId);

describe('leasesToTake', () => {
  it('takes every free shard when no other instance is alive', () => {
    const p = plan({ rows: shards(4) });
    expect(p.room).toBe(4);
    expect(ids(p.candidates)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
  });

  it('takes half, rounded up, when one other instance holds live leases, and never its live leases', () => {
    const rows = [held('shard-0', 'other'), ...shards(5).slice(1)];
    const p = plan({ rows });
    expect(p.room).toBe(3);
    expect(ids(p.candidates)).toEqual(['shard-1', 'shard-2', 'shard-3', 'shard-4']);
  });

  it('takes one shard each when there are more instances than shards', () => {
    const rows = [held('shard-0', 'a'), held('shard-1', 'b'), row('shard-2')];
    const p = plan({ rows });
    // 3 readable shards over 3 owners (a, b, me): one each.
    expect(p.room).toBe(1);
    expect(ids(p.candidates)).toEqual(['shard-2']);
    // An instance that already has its one takes nothing more.
    expect(plan({ rows, running: new Set(['shard-2']), runningTotal: 1 }).room).toBe(0);
  });

  it('counts an expired lease as free and its owner as gone', () => {
    const rows = [row('shard-0', { owner: 'dead', expired: true }), row('shard-1', { owner: 'dead', expired: true })];
    const p = plan({ rows });
    expect(p.room).toBe(2);
    expect(ids(p.candidates)).toEqual(['shard-0', 'shard-1']);
  });

  it('takes back leases recorded under its own name (a restart) even before they expire', () => {
    const rows = [held('shard-0', 'me'), held('shard-1', 'other')];
    const p = plan({ rows });
    expect(p.room).toBe(1);
    expect(ids(p.candidates)).toEqual(['shard-0']);
  });

  it('stops at maxShards over all streams', () => {
    expect(plan({ rows: shards(10), maxShards: 3 }).room).toBe(3);
    expect(plan({ rows: shards(10), maxShards: 3, runningTotal: 2 }).room).toBe(1);
    expect(plan({ rows: shards(10), maxShards: 3, runningTotal: 5 })).toEqual({ room: 0, candidates: [] });
  });

  it('skips shards it already runs and shards not yet readable (a parent unfinished) or finished', () => {
    const rows = [
      row('parent'),
      row('child', { parentShardIds: ['parent'] }),
      row('done', { finishedAt: new Date() }),
      row('other'),
    ];
    const p = plan({ rows, running: new Set(['parent']), runningTotal: 1 });
    expect(p.room).toBe(1);
    expect(ids(p.candidates)).toEqual(['other']);
  });

  it('takes nothing while stopping', () => {
    expect(plan({ rows: shards(4), stopping: true })).toEqual({ room: 0, candidates: [] });
  });

  it('takes nothing from a stream with no readable shards', () => {
    expect(plan({ rows: [row('done', { finishedAt: new Date() })] })).toEqual({ room: 0, candidates: [] });
  });
});
