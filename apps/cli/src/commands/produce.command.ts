import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { InvalidArgumentError, type Command } from 'commander';
import { isLosslessNumber, parse } from 'lossless-json';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { cliEnv } from '../cli-env';
import { CliError, UsageError } from '../cli-error';
import { runDemoProducer } from '../demo-orders';
import { withExamples } from '../help-example';
import { ensureStream, putBatch, type PutEntry } from '../kinesis-stream';
import { printResult, type GlobalOptions } from '../output';

const TYPES = ['order.created', 'order.paid', 'order.shipped', 'order.cancelled'];

/** A sample order event: `seq` makes each one unique; `customer` is the partition key, as a real producer would use. */
export function sampleRecord(seq: number): { key: string; data: Uint8Array } {
  const customer = `customer-${seq % 97}`;
  const event = {
    id: `evt-${seq}`,
    type: TYPES[seq % TYPES.length],
    customer,
    amount: Math.round(((seq * 7919) % 100000) / 10) / 10,
    at: new Date().toISOString(),
  };
  return { key: customer, data: Buffer.from(JSON.stringify(event)) };
}

/** Kinesis limits of one PutRecords call: 500 records, 5 MiB; and of one record: 1 MiB. */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * One line of input as a record: the line's bytes as they are (NDJSON or plain text); the partition key from the
 * JSON field `keyPath` (dotted) when given, a random one otherwise (spreads records over the shards, like a producer
 * without a key). Returns undefined for an empty line.
 */
export function lineRecord(line: string, lineNo: number, keyPath: string[] | undefined, randomKey: () => string = randomUUID): PutEntry | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return undefined;
  const data = Buffer.from(text, 'utf8');
  if (data.length > MAX_RECORD_BYTES) throw new CliError(`line ${lineNo}: ${data.length} bytes is more than a Kinesis record holds (1 MiB)`);
  if (!keyPath) return { key: randomKey(), data };
  let node: unknown;
  try {
    // lossless-json: a numeric key keeps its text (12345678901234567890 stays that, not 12345678901234567000).
    node = parse(text);
  } catch {
    throw new CliError(`line ${lineNo}: --key ${keyPath.join('.')} needs JSON lines, and this line is not JSON`);
  }
  for (const part of keyPath) node = typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Record<string, unknown>)[part] : undefined;
  if (typeof node !== 'string' && !isLosslessNumber(node)) throw new CliError(`line ${lineNo}: no string or number at ${keyPath.join('.')} for the partition key`);
  const key = typeof node === 'string' ? node : node.value;
  if (key.length < 1 || key.length > 256) throw new CliError(`line ${lineNo}: the partition key must be 1 to 256 characters, got ${key.length}`);
  return { key, data };
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number >= 1');
  return n;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('takes a number > 0');
  return n;
}

interface ProduceFlags {
  stream: string;
  count?: number;
  demo?: boolean;
  rate: number;
  key?: string;
  shards: number;
}

export function registerProduceCommand(program: Command): void {
  withExamples(
    program
      .command('produce')
      .description(
        'Put records into a Kinesis stream (created when missing): one record per line of stdin (NDJSON or plain text), sample order events with --count, or a steady stream of demo order events with --demo',
      )
      .requiredOption('--stream <name>', 'stream name')
      .option('--key <field>', 'take the partition key from this JSON field of each line (dotted path, e.g. customer.id); default: a random key')
      .option('--count <n>', 'put n sample order events instead of reading stdin', positiveInt)
      .option('--demo', 'write realistic order events (created, updated, paid, shipped, cancelled, deleted) until Ctrl-C')
      .option('--rate <n>', 'records per second with --demo', positiveNumber, 3)
      .option('--shards <n>', 'shard count when the stream is created', positiveInt, 2)
      .action(async (flags: ProduceFlags, cmd: Command) => {
        if (flags.count !== undefined && flags.demo) throw new UsageError('--count and --demo exclude each other');
        if (flags.key !== undefined && (flags.count !== undefined || flags.demo)) throw new UsageError('--key applies to records read from stdin (sample and demo events are keyed by customer)');
        const keyPath = flags.key?.split('.');
        if (keyPath?.some((p) => p === '')) throw new UsageError(`--key takes a field name or dotted path, got "${flags.key}"`);
        const config = loadConfig(cliEnv.all);
        const kinesis = createKinesisClient(config.aws);
        try {
          const created = await ensureStream(kinesis, flags.stream, flags.shards);
          let put: number;
          if (flags.demo) put = await produceDemo(kinesis, flags);
          else if (flags.count !== undefined) put = await produceSamples(kinesis, flags.stream, flags.count);
          else put = await produceStdin(kinesis, flags.stream, keyPath);
          printResult({ stream: flags.stream, created, records: put }, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
            `${r.created ? 'created stream ' + r.stream + '; ' : ''}put ${r.records} records into ${r.stream}`,
          );
        } finally {
          kinesis.destroy();
        }
      }),
    'fluxcap produce --stream orders --count 2000',
    `printf '{"customer":"c-1","type":"order.created"}\\n' | fluxcap produce --stream orders --key customer`,
    'fluxcap produce --stream orders --demo --rate 5',
  );
}

async function produceSamples(kinesis: ReturnType<typeof createKinesisClient>, stream: string, count: number): Promise<number> {
  let put = 0;
  for (let start = 0; start < count; start += MAX_BATCH_RECORDS) {
    const batch = Array.from({ length: Math.min(MAX_BATCH_RECORDS, count - start) }, (_, i) => sampleRecord(Date.now() * 1000 + start + i));
    put += await putBatch(kinesis, stream, batch);
  }
  return put;
}

/** Reads stdin line by line; a batch goes out when full, and at once per line when a person types at a terminal. */
async function produceStdin(kinesis: ReturnType<typeof createKinesisClient>, stream: string, keyPath: string[] | undefined): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY);
  if (interactive) process.stderr.write(`reading records for ${stream} from stdin, one per line; Ctrl-D ends\n`);
  let batch: PutEntry[] = [];
  let bytes = 0;
  let put = 0;
  let lineNo = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    put += await putBatch(kinesis, stream, batch);
    batch = [];
    bytes = 0;
  };
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    const record = lineRecord(line, ++lineNo, keyPath);
    if (!record) continue;
    if (batch.length === MAX_BATCH_RECORDS || bytes + record.data.length + record.key.length > MAX_BATCH_BYTES) await flush();
    batch.push(record);
    bytes += record.data.length + record.key.length;
    if (interactive) await flush();
  }
  await flush();
  return put;
}

async function produceDemo(kinesis: ReturnType<typeof createKinesisClient>, flags: ProduceFlags): Promise<number> {
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stderr.write(`writing demo order events into ${flags.stream} at ${flags.rate}/s; Ctrl-C stops\n`);
  try {
    return await runDemoProducer({
      kinesis,
      stream: flags.stream,
      ratePerSecond: flags.rate,
      signal: abort.signal,
      onError: (err) => process.stderr.write(`demo producer: ${err instanceof Error ? err.message : String(err)}; retrying\n`),
    });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
