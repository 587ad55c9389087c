import { GetRecordsCommand, GetShardIteratorCommand, type _Record, type KinesisClient, type Shard } from '@aws-sdk/client-kinesis';
import { FluxError, isFluxError } from '@flux-capacitor/contracts';
import { deaggregate, listShards, StreamNotFoundError } from '@flux-capacitor/kinesis';
import { dedupeLive, type LiveRecord } from './stream-source';

export interface LiveTailOptions {
  /** stop reading (and report `truncated`) once this many records were read across shards */
  maxRecords: number;
  /** ms; stop reading and report `truncated` past this time budget */
  budgetMs: number;
}

export interface LiveTailResult {
  records: LiveRecord[];
  shardsRead: number;
  /** true when the cap or the time budget cut the tail short */
  truncated: boolean;
}

/** A Kinesis record as user records: KPL aggregates de-aggregated, so live keys (sub-sequence numbers) match the archive's. */
export function userRecords(r: _Record, shardId: string): LiveRecord[] {
  return deaggregate(r.Data ?? new Uint8Array(), r.PartitionKey ?? '', null).map((u) => ({
    shardId,
    sequenceNumber: r.SequenceNumber ?? '0',
    subSequenceNumber: u.subSequenceNumber,
    partitionKey: u.partitionKey,
    arrivalTime: r.ApproximateArrivalTimestamp?.getTime() ?? 0,
    data: u.data,
  }));
}

/**
 * Reads the part of a stream the archive does not hold yet: for every shard, the records after the highest
 * sequence number the catalog has for it (AFTER_SEQUENCE_NUMBER), or the whole retained shard when nothing of it
 * is archived (TRIM_HORIZON), up to the tip (MillisBehindLatest = 0) or the end of a closed shard.
 */
export class KinesisLiveTail {
  constructor(private readonly kinesis: KinesisClient) {}

  async read(stream: string, watermarks: Map<string, string>, opts: LiveTailOptions): Promise<LiveTailResult> {
    try {
      return await this.readTail(stream, watermarks, opts);
    } catch (err) {
      // Kinesis refusing or failing is a dependency that is down for now (503), not a bug of ours.
      if (isFluxError(err)) throw err;
      throw new FluxError('unavailable', 'LIVE_TAIL_UNAVAILABLE', `reading the live tail of ${stream} from Kinesis failed: ${(err as Error).message}`, { cause: err });
    }
  }

  private async readTail(stream: string, watermarks: Map<string, string>, opts: LiveTailOptions): Promise<LiveTailResult> {
    const deadline = Date.now() + opts.budgetMs;
    let shards: Shard[];
    try {
      shards = await listShards(this.kinesis, stream);
    } catch (err) {
      if (err instanceof StreamNotFoundError) return { records: [], shardsRead: 0, truncated: false };
      throw err;
    }
    const records: LiveRecord[] = [];
    let truncated = false;
    for (const shard of shards) {
      const shardId = shard.ShardId!;
      const after = watermarks.get(shardId);
      let iterator = (
        await this.kinesis.send(
          new GetShardIteratorCommand({
            StreamName: stream,
            ShardId: shardId,
            ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
          }),
        )
      ).ShardIterator;
      while (iterator) {
        if (records.length >= opts.maxRecords || Date.now() > deadline) {
          truncated = true;
          break;
        }
        const res = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: Math.min(10_000, opts.maxRecords - records.length) }));
        for (const r of res.Records ?? []) records.push(...userRecords(r, shardId));
        iterator = res.NextShardIterator;
        if ((res.Records ?? []).length === 0 && (res.MillisBehindLatest ?? 0) === 0) break;
      }
      if (truncated) break;
    }
    return { records: dedupeLive(records).slice(0, opts.maxRecords), shardsRead: shards.length, truncated };
  }
}
