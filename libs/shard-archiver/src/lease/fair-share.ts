import { readableShards, type ShardLeaseRow } from './lease.repository';

export interface FairShareInput {
  /** This instance. */
  workerId: string;
  /** Every lease row of one stream, as `LeaseRepository.list` returns them. */
  rows: ShardLeaseRow[];
  /** Shards of this stream this instance is archiving now. */
  running: ReadonlySet<string>;
  /** Shards this instance is archiving now, over all its streams. */
  runningTotal: number;
  /** `FLUX_ARCHIVER_MAX_SHARDS`: most leases per instance. */
  maxShards: number;
  /** The instance is stopping (draining its buffers): it takes nothing new. */
  stopping: boolean;
}

export interface FairSharePlan {
  /** How many more leases this instance should hold for this stream (0 when it has its share). */
  room: number;
  /**
   * Shards it may try to take: readable, not running here, free, expired or its own, and not reserved for another
   * instance (a hand-off it asked for first, then shard order).
   */
  candidates: ShardLeaseRow[];
  /** Live leases of busier instances to ask for: each holder writes the shard's buffered rows, then releases it. */
  handoffs: ShardLeaseRow[];
}

const NOTHING: FairSharePlan = { room: 0, candidates: [], handoffs: [] };

/**
 * Which leases of a stream this instance should take or ask for. Its fair share is the readable shards divided
 * among the live owners (instances holding an unexpired lease of an unfinished shard or awaiting a hand-off) plus
 * itself, rounded up, and never more than `maxShards` over all streams. Free or expired leases (or ones under its
 * own name: a restart) are taken first. When they are not enough, it asks the busiest owners for live leases, one
 * at a time, only while that owner holds at least two more than this instance would: a shard moves only from a
 * busier to a less busy instance, so leases never go back and forth, and every instance ends between the floor and
 * the ceiling of the share. Taking a candidate may still fail (another instance was quicker), so the caller walks the
 * candidates until it has taken `room` of them.
 */
export function leasesToTake(input: FairShareInput): FairSharePlan {
  if (input.stopping) return NOTHING;
  const me = input.workerId;
  const live = (r: ShardLeaseRow) => r.owner !== null && !r.expired;
  const readable = readableShards(input.rows);
  const owners = new Set<string>([me]);
  for (const r of input.rows) {
    if (r.finishedAt !== null) continue;
    if (r.owner !== null && !r.expired) owners.add(r.owner);
    if (r.handoffTo !== null) owners.add(r.handoffTo);
  }
  const target = Math.ceil(readable.length / owners.size);
  // Leases already asked for and still held by their owner count as ours: they come at the owner's next renewal.
  const incoming = readable.filter((r) => r.handoffTo === me && live(r) && r.owner !== me && !input.running.has(r.shardId)).length;
  const have = input.running.size + incoming;
  const room = Math.max(0, Math.min(target - have, input.maxShards - input.runningTotal - incoming));
  if (room === 0) return NOTHING;
  const candidates = readable
    .filter((r) => !input.running.has(r.shardId) && (r.owner === null || r.expired || r.owner === me) && (r.handoffTo === null || r.handoffTo === me))
    .sort((a, b) => Number(b.handoffTo === me) - Number(a.handoffTo === me));
  return { room, candidates, handoffs: handoffsToAsk(readable, me, have + candidates.length, room - candidates.length) };
}

/** Up to `want` live leases of the busiest other owners, while the busiest holds at least two more than `mine`. */
function handoffsToAsk(readable: ShardLeaseRow[], me: string, mine: number, want: number): ShardLeaseRow[] {
  if (want <= 0) return [];
  const held = new Map<string, ShardLeaseRow[]>();
  for (const r of readable) {
    // A lease someone already asked for is leaving its owner: it neither counts for it nor may be asked for again.
    if (r.owner === null || r.expired || r.owner === me || r.handoffTo !== null) continue;
    held.set(r.owner, [...(held.get(r.owner) ?? []), r]);
  }
  // Busiest first; between equals, the first by name (every instance plans the same way).
  const busiest = () => [...held].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b))[0]?.[1] ?? [];
  const asks: ShardLeaseRow[] = [];
  for (let rows = busiest(); asks.length < want && rows.length - mine >= 2; rows = busiest()) {
    asks.push(rows.pop() as ShardLeaseRow);
    mine++;
  }
  return asks;
}
