import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { waitForStreamActive } from '@flux-capacitor/local-stack';

/** A record as read back from a stream. */
export interface StreamRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  /** ApproximateArrivalTimestamp, epoch ms */
  arrivalTime: number;
  /** generations of parent shards above the record's shard (0 before any reshard): a child's records are newer */
  depth: number;
}

/** Creates a stream and waits until it is active. */
export async function createStream(kinesis: KinesisClient, name: string, shards: number): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  await waitUntilActive(kinesis, name);
  return name;
}

/** Waits until a stream is ACTIVE (after a create, split or merge): local-stack's waitForStreamActive, one loop for tests and benchmarks. */
export async function waitUntilActive(kinesis: KinesisClient, stream: string): Promise<void> {
  await waitForStreamActive(kinesis, stream);
}

/** Puts records in order, one batch after another, resending what Kinesis refused. */
export async function putInOrder(kinesis: KinesisClient, stream: string, records: { key: string; data: Uint8Array | string }[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    let pending = records.slice(i, i + 500).map((r) => ({ PartitionKey: r.key, Data: typeof r.data === 'string' ? Buffer.from(r.data) : r.data }));
    while (pending.length > 0) {
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: pending }));
      pending = pending.filter((_, j) => out.Records?.[j]?.ErrorCode);
    }
  }
}

/** Every record of a stream, shard by shard in sequence order, with each shard's depth in the reshard lineage. */
export async function readStream(kinesis: KinesisClient, stream: string): Promise<StreamRecord[]> {
  const out: StreamRecord[] = [];
  // ListShards by hand: libs/kinesis's tests use this harness, so it cannot import libs/kinesis
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(token ? new ListShardsCommand({ NextToken: token }) : new ListShardsCommand({ StreamName: stream }));
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  const parentOf = new Map(shards.map((sh) => [sh.ShardId!, sh.ParentShardId]));
  const depthOf = (id: string | undefined): number => (id && parentOf.get(id) ? 1 + depthOf(parentOf.get(id)) : 0);
  for (const shard of shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of res.Records ?? []) {
        out.push({
          shardId: shard.ShardId!,
          sequenceNumber: r.SequenceNumber!,
          partitionKey: r.PartitionKey!,
          data: r.Data!,
          arrivalTime: r.ApproximateArrivalTimestamp!.getTime(),
          depth: depthOf(shard.ShardId),
        });
      }
      iterator = res.NextShardIterator;
      if ((res.Records ?? []).length === 0 && (res.MillisBehindLatest ?? 0) === 0) break;
    }
  }
  return out;
}
