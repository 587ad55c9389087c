import type { ReplayWatermarks } from './watermarks';

/**
 * A record's position in its SOURCE stream: for a replayed record, its envelope's `source`; for a live record,
 * where it was read. Two versions of the same key are ordered by these positions, never by when they were read.
 */
export interface RecordVersion {
  stream: string;
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  /** Epoch milliseconds. */
  arrivalTime: number;
}

export interface CompareContext {
  /** The replay that delivered `a`; absent for a live record. */
  aReplayId?: string;
  /** The replay that delivered `b`; absent for a live record. */
  bReplayId?: string;
  /** Watermark documents of the replays involved; their `shards` also give the stream's shard lineage. */
  watermarks?: readonly ReplayWatermarks[];
}

type Order = -1 | 0 | 1;
const sign = (n: number | bigint): Order => (n > 0 ? 1 : n < 0 ? -1 : 0);

/** Whether `ancestor` is a parent (or adjacent parent), grandparent, ... of `shardId` in the lineage. */
function isAncestor(lineage: Map<string, string[]>, ancestor: string, shardId: string): boolean {
  const seen = new Set<string>();
  const queue = [...(lineage.get(shardId) ?? [])];
  while (queue.length > 0) {
    const s = queue.pop() as string;
    if (s === ancestor) return true;
    if (seen.has(s)) continue;
    seen.add(s);
    queue.push(...(lineage.get(s) ?? []));
  }
  return false;
}

function lineageOf(stream: string, docs: readonly ReplayWatermarks[]): Map<string, string[]> {
  const parents = new Map<string, string[]>();
  for (const doc of docs) {
    if (doc.sourceStream !== stream) continue;
    for (const s of doc.shards) {
      const p = [s.parentShardId, s.adjacentParentShardId].filter((x): x is string => !!x);
      if (p.length > 0) parents.set(s.shardId, p);
    }
  }
  return parents;
}

/** Whether the live record is known to be newer than everything replay `doc` wrote. */
function liveIsPastReplay(live: RecordVersion, doc: ReplayWatermarks | undefined): boolean {
  if (!doc || doc.sourceStream !== live.stream) return false;
  const mark = doc.watermarks.find((w) => w.shardId === live.shardId);
  // A shard the watermarks do not cover got no record from the replay: its live records came after the replay start.
  return !mark || BigInt(live.sequenceNumber) > BigInt(mark.sequenceNumber);
}

/**
 * Orders two versions of the same key: -1 when `a` is older, 1 when newer, 0 when they are the same position (or
 * cannot be told apart).
 *
 * - Same stream and shard: sequence number, then sub-sequence number (exact: Kinesis orders a shard).
 * - Same stream, different shards: a shard's records are older than its descendants' (lineage from the watermark
 *   documents); else a live record is newer than a replayed one when it lies past the replay's watermark for its
 *   shard (or on a shard the replay does not cover); else arrival time.
 * - Different streams: arrival time.
 */
export function compareVersions(a: RecordVersion, b: RecordVersion, ctx: CompareContext = {}): Order {
  if (a.stream === b.stream) {
    if (a.shardId === b.shardId) {
      return sign(BigInt(a.sequenceNumber) - BigInt(b.sequenceNumber)) || sign(a.subSequenceNumber - b.subSequenceNumber);
    }
    const docs = ctx.watermarks ?? [];
    const lineage = lineageOf(a.stream, docs);
    if (isAncestor(lineage, a.shardId, b.shardId)) return -1;
    if (isAncestor(lineage, b.shardId, a.shardId)) return 1;
    const docOf = (replayId: string | undefined) => (replayId === undefined ? undefined : docs.find((d) => d.replayId === replayId));
    if (ctx.aReplayId !== undefined && ctx.bReplayId === undefined && liveIsPastReplay(b, docOf(ctx.aReplayId))) return -1;
    if (ctx.bReplayId !== undefined && ctx.aReplayId === undefined && liveIsPastReplay(a, docOf(ctx.bReplayId))) return 1;
  }
  return sign(a.arrivalTime - b.arrivalTime);
}
