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
  /** Shards it may try to take, in shard order: readable, not running here, and free, expired or its own. */
  candidates: ShardLeaseRow[];
}

/**
 * Which leases of a stream this instance should try to take. Its fair share is the readable shards divided among
 * the live owners (instances holding an unexpired lease of an unfinished shard) plus itself, rounded up, and never
 * more than `maxShards` over all streams. Only free or expired leases (or ones under its own name: a restart) are
 * candidates; live leases of others are never stolen. Taking a candidate may still fail (another instance was
 * quicker), so the caller walks the candidates until it has taken `room` of them.
 */
export function leasesToTake(input: FairShareInput): FairSharePlan {
  if (input.stopping) return { room: 0, candidates: [] };
  const readable = readableShards(input.rows);
  const owners = new Set(input.rows.filter((r) => r.owner !== null && !r.expired && r.finishedAt === null).map((r) => r.owner!));
  owners.add(input.workerId);
  const target = Math.ceil(readable.length / owners.size);
  const room = Math.max(0, Math.min(target - input.running.size, input.maxShards - input.runningTotal));
  if (room === 0) return { room, candidates: [] };
  const candidates = readable.filter(
    (r) => !input.running.has(r.shardId) && (r.owner === null || r.expired || r.owner === input.workerId),
  );
  return { room, candidates };
}
