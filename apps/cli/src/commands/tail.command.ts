import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient, type ShardIteratorType } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { listShards } from '@flux-capacitor/kinesis';
import { InvalidArgumentError, type Command } from 'commander';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { withExamples } from '../help-example';
import type { GlobalOptions } from '../output';
import { ApiHttpError, call, fluxClient, hasService, pause } from '../flux-api';
import { parseTime } from './replay.command';

/** One record as the gateway's tail endpoint returns it (and as `--json` prints it, one per line). */
export interface TailRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: string;
  /** base64 */
  data: string;
  payload: unknown;
}

/** How long to wait before asking again when nothing new arrived: like kcat, a gentle poll. */
const IDLE_MS = 1000;

export type TailStart = 'latest' | 'earliest' | { at: string };

export function parseTailFrom(value: string, now: Date): TailStart {
  const v = value.trim().toLowerCase();
  if (v === 'latest' || v === 'earliest') return v;
  try {
    return { at: parseTime('--from', value, now) };
  } catch (err) {
    throw new InvalidArgumentError(`takes latest, earliest, an ISO time or an age like 5m (${err instanceof Error ? err.message : String(err)})`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The line `fluxcap tail` prints for a record: its JSON payload, else its bytes as UTF-8 text, else base64. */
export function recordLine(record: TailRecord, json: boolean): string {
  if (json) return JSON.stringify(record);
  if (record.payload !== null && record.payload !== undefined) return JSON.stringify(record.payload);
  const bytes = Buffer.from(record.data, 'base64');
  try {
    return utf8.decode(bytes).replace(/\r?\n/g, '\\n');
  } catch {
    return record.data;
  }
}

interface TailFlags {
  stream: string;
  from: TailStart;
  count?: number;
}

/** Records in batches, oldest first per shard, until the signal aborts. */
type TailSource = (signal: AbortSignal) => AsyncIterable<TailRecord[]>;

async function* viaGateway(stream: string, from: TailStart, signal: AbortSignal): AsyncIterable<TailRecord[]> {
  const gateway = fluxClient().query;
  let cursor: string | undefined;
  const start = typeof from === 'string' ? from : from.at;
  while (!signal.aborted) {
    const query = cursor ? { cursor, limit: 1000 } : { from: start, limit: 1000 };
    let page: { records: TailRecord[]; cursor: string };
    try {
      page = (await call('query', gateway.GET('/v1/streams/{stream}/tail', { params: { path: { stream }, query }, signal }))) as typeof page;
    } catch (err) {
      // Kinesis throttles the gateway's reads (429 TAIL_THROTTLED) or is slow to answer them (503) beyond the client's
      // own retries: a tail waits and asks again from the same cursor rather than giving up.
      if (err instanceof ApiHttpError && (err.status === 429 || err.status === 503)) {
        await pause(IDLE_MS, signal);
        continue;
      }
      throw err;
    }
    cursor = page.cursor;
    yield page.records;
    if (page.records.length === 0) await pause(IDLE_MS, signal);
  }
}

/** Without FLUX_QUERY_URL: read every open shard directly with GetRecords (the embedded fallback). */
async function* viaKinesis(kinesis: KinesisClient, stream: string, from: TailStart, signal: AbortSignal): AsyncIterable<TailRecord[]> {
  const shards = (await listShards(kinesis, stream)).filter((s) => !s.SequenceNumberRange?.EndingSequenceNumber);
  const type: ShardIteratorType = from === 'latest' ? 'LATEST' : from === 'earliest' ? 'TRIM_HORIZON' : 'AT_TIMESTAMP';
  const iterators = new Map<string, string | undefined>();
  for (const shard of shards) {
    const shardId = shard.ShardId as string;
    const out = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type, Timestamp: typeof from === 'object' ? new Date(from.at) : undefined }),
      { abortSignal: signal },
    );
    iterators.set(shardId, out.ShardIterator);
  }
  while (!signal.aborted && [...iterators.values()].some(Boolean)) {
    const batch: TailRecord[] = [];
    for (const [shardId, iterator] of iterators) {
      if (!iterator) continue;
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }), { abortSignal: signal });
      iterators.set(shardId, out.NextShardIterator);
      for (const r of out.Records ?? []) {
        const data = Buffer.from(r.Data ?? new Uint8Array());
        let payload: unknown = null;
        try {
          payload = JSON.parse(utf8.decode(data));
        } catch {
          // not JSON: printed as text or base64
        }
        batch.push({
          shardId,
          sequenceNumber: r.SequenceNumber as string,
          partitionKey: r.PartitionKey as string,
          arrivalTime: (r.ApproximateArrivalTimestamp ?? new Date()).toISOString(),
          data: data.toString('base64'),
          payload,
        });
      }
    }
    yield batch;
    if (batch.length === 0) await pause(IDLE_MS, signal);
  }
}

export function registerTailCommand(program: Command): void {
  withExamples(
    program
      .command('tail')
      .description(
        'Follow the newest records of a stream, like kcat -C: one line per record (its JSON payload, or its data), until Ctrl-C. Through the gateway when FLUX_QUERY_URL is set, from Kinesis directly otherwise',
      )
      .requiredOption('--stream <name>', 'stream to follow')
      .option('--from <start>', 'latest (only new records), earliest (everything still in the stream), an ISO time or an age like 5m', (v) => parseTailFrom(v, new Date()), 'latest' as TailStart)
      .option('--count <n>', 'stop after n records', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number >= 1');
        return n;
      })
      .action(async (flags: TailFlags, cmd: Command) => {
        const json = cmd.optsWithGlobals<GlobalOptions>().json === true;
        let kinesis: KinesisClient | undefined;
        let source: TailSource;
        if (hasService('query')) source = (signal) => viaGateway(flags.stream, flags.from, signal);
        else {
          const client = createKinesisClient(loadConfig(cliEnv.all).aws);
          kinesis = client;
          source = (signal) => viaKinesis(client, flags.stream, flags.from, signal);
        }
        const abort = new AbortController();
        const stop = () => abort.abort(new Error('stopped'));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // `fluxcap tail ... | head` closes stdout: stop quietly, as kcat does.
        process.stdout.once('error', stop);
        let printed = 0;
        try {
          for await (const records of source(abort.signal)) {
            for (const record of records) {
              if (!process.stdout.write(`${recordLine(record, json)}\n`)) await new Promise((r) => process.stdout.once('drain', r));
              if (flags.count !== undefined && ++printed >= flags.count) return;
            }
          }
        } catch (err) {
          // Ctrl-C is how a tail ends: exit 0, as kcat does.
          if (abort.signal.aborted) return;
          if ((err as { name?: string }).name === 'ResourceNotFoundException') throw new CliError(`stream ${flags.stream} does not exist`);
          throw err;
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          kinesis?.destroy();
        }
      }),
    'fluxcap tail --stream orders',
    'fluxcap tail --stream orders --from 10m --json | jq .partitionKey',
  );
}
