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
  handoffTo: null,
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
    expect(plan({ rows: shards(10), maxShards: 3, runningTotal: 5 })).toEqual({ room: 0, candidates: [], handoffs: [] });
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
    expect(plan({ rows: shards(4), stopping: true })).toEqual({ room: 0, candidates: [], handoffs: [] });
  });

  it('takes nothing from a stream with no readable shards', () => {
    expect(plan({ rows: [row('done', { finishedAt: new Date() })] })).toEqual({ room: 0, candidates: [], handoffs: [] });
  });

  it('asks the only other instance for half of its live leases when no lease is free', () => {
    const rows = Array.from({ length: 8 }, (_, i) => held(`shard-${i}`, 'a'));
    const p = plan({ rows });
    expect(p.room).toBe(4);
    expect(p.candidates).toEqual([]);
    expect(ids(p.handoffs)).toEqual(['shard-7', 'shard-6', 'shard-5', 'shard-4']);
  });

  it('asks the busiest owners first, and only while one holds two more than it would', () => {
    const rows = Array.from({ length: 8 }, (_, i) => held(`shard-${i}`, i < 4 ? 'a' : 'b'));
    // 8 shards over a, b and me: a share of 3. a and b give one each; then they hold 3 and it would hold 2.
    expect(ids(plan({ rows }).handoffs)).toEqual(['shard-3', 'shard-7']);
    // 3, 3, 2: balanced, nothing moves.
    const balanced = rows.map((r, i) => (i === 3 || i === 7 ? held(r.shardId, 'me') : r));
    const mine = new Set(['shard-3', 'shard-7']);
    expect(plan({ rows: balanced, running: mine, runningTotal: 2 })).toEqual({ room: 1, candidates: [], handoffs: [] });
    expect(plan({ rows: balanced, workerId: 'a', running: new Set(['shard-0', 'shard-1', 'shard-2']), runningTotal: 3 }).room).toBe(0);
  });

  it('asks an owner at the ceiling of the share when it holds two more (10 shards, 3-3-3-1)', () => {
    const owner = ['a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'me'];
    const rows = owner.map((o, i) => held(`shard-${i}`, o));
    const p = plan({ rows, running: new Set(['shard-9']), runningTotal: 1 });
    expect(p.room).toBe(2);
    expect(ids(p.handoffs)).toEqual(['shard-2']);
  });

  it('counts leases it asked for as coming and does not ask again', () => {
    const rows = Array.from({ length: 8 }, (_, i) => held(`shard-${i}`, 'a'));
    for (const i of [7, 6]) rows[i] = { ...rows[i], handoffTo: 'me' };
    const p = plan({ rows });
    expect(p.room).toBe(2);
    expect(ids(p.handoffs)).toEqual(['shard-5', 'shard-4']);
  });

  it('takes a released lease reserved for it first, and leaves one reserved for another instance alone', () => {
    const rows = [row('shard-0'), row('shard-1', { handoffTo: 'me' }), row('shard-2', { handoffTo: 'b' }), held('shard-3', 'b')];
    const p = plan({ rows });
    // Owners: b (a live lease and a reservation) and me: a share of 2.
    expect(p.room).toBe(2);
    expect(ids(p.candidates)).toEqual(['shard-1', 'shard-0']);
    // The instance that handed shard-2 over counts b as an owner and does not take it back.
    expect(ids(plan({ rows: [held('shard-0', 'me'), row('shard-1', { handoffTo: 'b' })], running: new Set(['shard-0']), runningTotal: 1 }).candidates)).toEqual([]);
  });

  it('balances within two rounds whenever instances join or leave, and then moves nothing', () => {
    for (const shardCount of [1, 2, 7, 8, 10, 16]) {
      const rows = Array.from({ length: shardCount }, (_, i) => row(`shard-${String(i).padStart(2, '0')}`));
      const instances: string[] = [];
      for (const change of ['+a', '+b', '+c', '+d', '-b', '+e', '-a', '-c']) {
        const name = change.slice(1);
        if (change[0] === '+') instances.push(name);
        else {
          instances.splice(instances.indexOf(name), 1);
          for (const r of rows) if (r.owner === name) Object.assign(r, { owner: null, expired: true });
        }
        let rounds = 0;
        while (simulateRound(rows, instances) > 0) {
          rounds++;
          expect(rounds, `${shardCount} shards after ${change}`).toBeLessThanOrEqual(2);
        }
        const counts = instances.map((w) => rows.filter((r) => r.owner === w).length);
        expect(counts.reduce((a, b) => a + b, 0), `${shardCount} shards after ${change}`).toBe(shardCount);
        expect(Math.max(...counts) - Math.min(...counts), `${shardCount} shards after ${change}: ${counts.join(',')}`).toBeLessThanOrEqual(1);
      }
    }
  });
});

/**
 * One heartbeat of every instance: each takes what its plan gives and asks for hand-offs; then every holder asked
 * for a lease releases it (it stays reserved). Returns how many leases moved or were asked for.
 */
function simulateRound(rows: ShardLeaseRow[], instances: string[]): number {
  let changes = 0;
  for (const me of instances) {
    const mine = new Set(rows.filter((r) => r.owner === me).map((r) => r.shardId));
    const p = leasesToTake({ workerId: me, rows, running: mine, runningTotal: mine.size, maxShards: 1000, stopping: false });
    let room = p.room;
    for (const c of p.candidates) {
      if (room-- <= 0) break;
      Object.assign(c, { owner: me, expired: false, handoffTo: c.handoffTo === me ? null : c.handoffTo });
      changes++;
    }
    for (const h of p.handoffs) {
      h.handoffTo = me;
      changes++;
    }
  }
  for (const r of rows) if (r.handoffTo !== null && r.owner !== null && r.owner !== r.handoffTo) r.owner = null;
  return changes;
}
