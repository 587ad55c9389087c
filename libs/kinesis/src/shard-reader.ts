import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ProvisionedThroughputExceededException,
  ResourceNotFoundException,
  type KinesisClient,
  type _Record,
  type ShardIteratorType,
} from '@aws-sdk/client-kinesis';
import type { Logger } from '@nestjs/common';
import { backoffDelay, retry, sleep } from './backoff';
import { StreamNotFoundError } from './kinesis.errors';

export type StartPosition =
  | { type: 'TRIM_HORIZON' | 'LATEST' }
  | { type: 'AT_TIMESTAMP'; timestamp: Date }
  | { type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string };

export interface ReadBatch<R = _Record> {
  records: R[];
  millisBehindLatest: number;
  /** The shard is closed and every record has been returned. */
  ended: boolean;
}

export interface ShardReaderOptions {
  limit: number;
  /** Kinesis allows 5 GetRecords calls per second per shard. */
  minIntervalMs?: number;
  logger?: Logger;
  signal?: AbortSignal;
  onThrottle?: () => void;
  /** Issue the next GetRecords while the caller processes the current batch. */
  prefetch?: boolean;
}

const isThrottle = (e: unknown) =>
  e instanceof ProvisionedThroughputExceededException ||
  (e as { name?: string })?.name === 'ProvisionedThroughputExceededException' ||
  (e as { name?: string })?.name === 'LimitExceededException';
const isExpired = (e: unknown) => e instanceof ExpiredIteratorException || (e as { name?: string })?.name === 'ExpiredIteratorException';
const isNotFound = (e: unknown) => e instanceof ResourceNotFoundException || (e as { name?: string })?.name === 'ResourceNotFoundException';

/**
 * Reads one shard with GetRecords, within Kinesis' limits: at most one call per `minIntervalMs`, backing off on
 * ProvisionedThroughputExceeded, and renewing an expired iterator from just after the last record returned.
 */
export class ShardReader<R extends { SequenceNumber?: string } = _Record, B extends ReadBatch<R> = ReadBatch<R>> {
  private iterator: string | undefined;
  private lastSequenceNumber: string | undefined;
  private lastCallAt = 0;
  private pending: Promise<B> | undefined;
  private readonly minIntervalMs: number;

  constructor(
    protected readonly kinesis: KinesisClient,
    readonly stream: string,
    readonly shardId: string,
    private start: StartPosition,
    private readonly options: ShardReaderOptions,
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 200;
  }

  private async openIterator(): Promise<string | undefined> {
    const position: StartPosition = this.lastSequenceNumber
      ? { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: this.lastSequenceNumber }
      : this.start;
    return retry(
      'GetShardIterator',
      async () => {
        try {
          const out = await this.kinesis.send(
            new GetShardIteratorCommand({
              StreamName: this.stream,
              ShardId: this.shardId,
              ShardIteratorType: position.type as ShardIteratorType,
              StartingSequenceNumber: 'sequenceNumber' in position ? position.sequenceNumber : undefined,
              Timestamp: position.type === 'AT_TIMESTAMP' ? position.timestamp : undefined,
            }),
          );
          return out.ShardIterator;
        } catch (error) {
          if (isNotFound(error)) throw new StreamNotFoundError(this.stream, { cause: error });
          throw error;
        }
      },
      { signal: this.options.signal, logger: this.options.logger, context: { stream: this.stream, shardId: this.shardId } },
    );
  }

  /**
   * The next batch of records (possibly empty). With `prefetch`, the call after it is already on its way while the
   * caller processes this one (still one call at a time, in order, within the rate limit).
   */
  async next(limit = this.options.limit): Promise<B> {
    const pending = this.pending;
    this.pending = undefined;
    const batch = pending ? await pending : await this.fetch(limit);
    if (this.options.prefetch && !batch.ended && !this.options.signal?.aborted) {
      const ahead = this.fetch(limit);
      ahead.catch(() => undefined);
      this.pending = ahead;
    }
    return batch;
  }

  /** `limit`: records asked for; a caller with a memory budget asks for fewer than `options.limit`. */
  private async fetch(limit: number): Promise<B> {
    let throttles = 0;
    for (let attempt = 0; ; attempt++) {
      if (this.iterator === undefined) {
        this.iterator = await this.openIterator();
        if (this.iterator === undefined) return this.empty(true);
      }
      const wait = this.lastCallAt + this.minIntervalMs - Date.now();
      if (wait > 0) await sleep(wait, this.options.signal);
      this.lastCallAt = Date.now();
      try {
        const { batch, nextIterator } = await this.getRecords(this.iterator, limit);
        const records = batch.records;
        if (records.length > 0) this.lastSequenceNumber = records[records.length - 1].SequenceNumber;
        this.iterator = nextIterator;
        return batch;
      } catch (error) {
        if (isThrottle(error)) {
          this.options.onThrottle?.();
          const delay = backoffDelay(throttles++, 500, 10_000);
          this.options.logger?.warn({ msg: 'GetRecords throttled; backing off', stream: this.stream, shardId: this.shardId, retryInMs: delay });
          await sleep(delay, this.options.signal);
        } else if (isExpired(error)) {
          this.options.logger?.log({ msg: 'shard iterator expired; renewing', stream: this.stream, shardId: this.shardId });
          this.iterator = undefined;
        } else if (isNotFound(error)) {
          throw new StreamNotFoundError(this.stream, { cause: error });
        } else {
          const delay = backoffDelay(attempt, 200, 10_000);
          this.options.logger?.warn({
            msg: 'GetRecords failed; retrying',
            stream: this.stream,
            shardId: this.shardId,
            retryInMs: delay,
            error: error instanceof Error ? error.message : String(error),
          });
          await sleep(delay, this.options.signal);
        }
        if (this.options.signal?.aborted) return this.empty(false);
      }
    }
  }

  /** One GetRecords call: its batch and the iterator after it (undefined: the shard ended). */
  protected async getRecords(iterator: string, limit: number): Promise<{ batch: B; nextIterator: string | undefined }> {
    const out = await this.kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: limit }));
    const batch = { records: out.Records ?? [], millisBehindLatest: out.MillisBehindLatest ?? 0, ended: out.NextShardIterator == null };
    return { batch: batch as unknown as B, nextIterator: out.NextShardIterator ?? undefined };
  }

  /** A batch without records. */
  protected empty(ended: boolean): B {
    return { records: [], millisBehindLatest: 0, ended } as unknown as B;
  }

  /** Forgets the iterator (e.g. after an error) so the next call resumes after the last record returned. */
  reset(): void {
    this.iterator = undefined;
  }
}
