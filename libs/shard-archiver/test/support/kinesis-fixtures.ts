import { randomBytes } from 'node:crypto';
import {
  ListShardsCommand,
  MergeShardsCommand,
  PutRecordsCommand,
  SplitShardCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ArchiveStore, ParquetEngine } from '@flux-capacitor/archive';
import { ARCHIVE_KV_METADATA, type ArchiveRecord, type ObjectShardRange } from '@flux-capacitor/contracts';
import { waitUntilActive } from '@flux-capacitor/testing';

export async function listShards(kinesis: KinesisClient, stream: string): Promise<Shard[]> {
  const out = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  return out.Shards ?? [];
}

export interface ProducedRecord {
  partitionKey: string;
  data: Buffer;
  /** routes the record to the shard whose hash range holds it */
  explicitHashKey?: string;
}

/** Puts records (500 per call), retrying the entries Kinesis refused. */
export async function putRecords(kinesis: KinesisClient, stream: string, records: ProducedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 500) {
    let pending = records.slice(i, i + 500);
    while (pending.length > 0) {
      const out = await kinesis.send(
        new PutRecordsCommand({ StreamName: stream, Records: pending.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data, ExplicitHashKey: r.explicitHashKey })) }),
      );
      pending = pending.filter((_, j) => out.Records?.[j]?.ErrorCode);
      if (pending.length > 0) await new Promise((r) => setTimeout(r, 100)); // backs off before resending what was throttled
    }
  }
}

/** Splits the first open shard at the middle of its hash range. */
export async function splitFirstOpenShard(kinesis: KinesisClient, stream: string): Promise<string> {
  const open = (await listShards(kinesis, stream)).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
  const s = open[0];
  const start = BigInt(s.HashKeyRange!.StartingHashKey!);
  const end = BigInt(s.HashKeyRange!.EndingHashKey!);
  await kinesis.send(
    new SplitShardCommand({ StreamName: stream, ShardToSplit: s.ShardId!, NewStartingHashKey: ((start + end) / 2n).toString() }),
  );
  await waitUntilActive(kinesis, stream);
  return s.ShardId!;
}

/** Merges the last two adjacent open shards. */
export async function mergeLastAdjacentShards(kinesis: KinesisClient, stream: string): Promise<[string, string]> {
  const open = (await listShards(kinesis, stream))
    .filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber)
    .sort((a, b) => (BigInt(a.HashKeyRange!.StartingHashKey!) < BigInt(b.HashKeyRange!.StartingHashKey!) ? -1 : 1));
  for (let i = open.length - 2; i >= 0; i--) {
    if (BigInt(open[i].HashKeyRange!.EndingHashKey!) + 1n === BigInt(open[i + 1].HashKeyRange!.StartingHashKey!)) {
      await kinesis.send(
        new MergeShardsCommand({ StreamName: stream, ShardToMerge: open[i].ShardId!, AdjacentShardToMerge: open[i + 1].ShardId! }),
      );
      await waitUntilActive(kinesis, stream);
      return [open[i].ShardId!, open[i + 1].ShardId!];
    }
  }
  throw new Error('no adjacent open shards to merge');
}

/** A record whose data names it: `<id>:` then random bytes (binary, not JSON). */
export function taggedRecord(id: number, size = 64): ProducedRecord {
  return { partitionKey: `pk-${id % 97}`, data: Buffer.concat([Buffer.from(`${id}:`), randomBytes(size)]) };
}

export const recordId = (data: Uint8Array) => Number(Buffer.from(data.subarray(0, 12)).toString('latin1').split(':')[0]);

export interface ArchivedObject {
  key: string;
  rows: ArchiveRecord[];
  /** the object's key-value metadata (layout 2: `flux.layout`, `flux.shards`) */
  metadata: Record<string, string>;
  /** the shard ranges its metadata records */
  shards: ObjectShardRange[];
}

/** Every object of a stream in the archive, with its rows. */
export async function readArchive(store: ArchiveStore, stream: string): Promise<ArchivedObject[]> {
  const engine = await ParquetEngine.create({ threads: 1 });
  try {
    const out: ArchivedObject[] = [];
    const dir = await mkdtemp(join(tmpdir(), 'flux-read-'));
    try {
      for await (const o of store.list(`${stream}/`)) {
        const path = join(dir, 'object.parquet');
        await store.getToFile(o.key, path);
        const metadata = await engine.keyValueMetadata(path);
        const shards = JSON.parse(metadata[ARCHIVE_KV_METADATA.shards] ?? '[]') as ObjectShardRange[];
        out.push({ key: o.key, rows: await engine.read(path), metadata, shards });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return out;
  } finally {
    engine.close();
  }
}
