import { createHash } from 'node:crypto';
import { ListShardsCommand, ResourceNotFoundException, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { StreamNotFoundError } from './kinesis.errors';

/** Every shard of a stream, open and closed, following ListShards' pages. */
export async function listShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  try {
    do {
      const res = await kinesis.send(token ? new ListShardsCommand({ NextToken: token }) : new ListShardsCommand({ StreamName: stream }));
      shards.push(...(res.Shards ?? []));
      token = res.NextToken;
    } while (token);
  } catch (err) {
    if (err instanceof ResourceNotFoundException || (err as { name?: string })?.name === 'ResourceNotFoundException') {
      throw new StreamNotFoundError(stream, { cause: err });
    }
    throw err;
  }
  return shards;
}

/** A shard is open while its sequence number range has no end. */
export const isOpenShard = (shard: Shard) => shard.SequenceNumberRange?.EndingSequenceNumber === undefined;

/** The 128-bit hash key Kinesis routes a record by: MD5 of the partition key, as an unsigned integer. */
export function hashKeyOf(partitionKey: string): bigint {
  return BigInt(`0x${createHash('md5').update(partitionKey, 'utf8').digest('hex')}`);
}

/** Open shards sorted by hash range, for routing records the way Kinesis does. */
export class ShardRouter {
  private readonly ranges: { shardId: string; start: bigint; end: bigint }[];

  constructor(shards: Shard[]) {
    this.ranges = shards
      .filter(isOpenShard)
      .map((s) => ({ shardId: s.ShardId!, start: BigInt(s.HashKeyRange!.StartingHashKey!), end: BigInt(s.HashKeyRange!.EndingHashKey!) }))
      .sort((a, b) => (a.start < b.start ? -1 : 1));
  }

  get shardIds(): string[] {
    return this.ranges.map((r) => r.shardId);
  }

  /** The first hash key of each open shard: `ExplicitHashKey` for a record that must land on that shard. */
  get startingHashKeys(): Map<string, string> {
    return new Map(this.ranges.map((r) => [r.shardId, r.start.toString()]));
  }

  /** The open shard a record with this partition key (or explicit hash key) lands on. */
  shardFor(partitionKey: string, explicitHashKey?: string): string {
    const key = explicitHashKey !== undefined ? BigInt(explicitHashKey) : hashKeyOf(partitionKey);
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid];
      if (key < r.start) hi = mid - 1;
      else if (key > r.end) lo = mid + 1;
      else return r.shardId;
    }
    throw new Error(`no open shard covers hash key ${key}`);
  }
}
