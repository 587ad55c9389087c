import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import type { Command } from 'commander';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { ensureStream } from '../kinesis-stream';
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

export function registerProduceCommand(program: Command): void {
  program
    .command('produce')
    .description('Put sample JSON order events into a Kinesis stream (created when missing): something to archive and query')
    .requiredOption('--stream <name>', 'stream name')
    .option('--count <n>', 'records to put', (v) => Number(v), 1000)
    .option('--shards <n>', 'shard count when the stream is created', (v) => Number(v), 2)
    .action(async (flags: { stream: string; count: number; shards: number }, cmd: Command) => {
      if (!Number.isInteger(flags.count) || flags.count < 1) throw new CliError('--count takes a whole number >= 1');
      if (!Number.isInteger(flags.shards) || flags.shards < 1) throw new CliError('--shards takes a whole number >= 1');
      const config = loadConfig(cliEnv.all);
      const kinesis = createKinesisClient(config.aws);
      try {
        const created = await ensureStream(kinesis, flags.stream, flags.shards);
        let put = 0;
        for (let start = 0; start < flags.count; start += 500) {
          const batch = Array.from({ length: Math.min(500, flags.count - start) }, (_, i) => sampleRecord(Date.now() * 1000 + start + i));
          let pending = batch.map((r) => ({ PartitionKey: r.key, Data: r.data }));
          // PutRecords is not atomic: resend only the entries that failed (throttling), as the KPL does.
          for (let attempt = 0; pending.length > 0; attempt++) {
            if (attempt === 8) throw new CliError(`Kinesis kept rejecting ${pending.length} records`);
            const out = await kinesis.send(new PutRecordsCommand({ StreamName: flags.stream, Records: pending }));
            const failed = pending.filter((_, i) => out.Records?.[i]?.ErrorCode);
            put += pending.length - failed.length;
            pending = failed;
            if (pending.length) await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
          }
        }
        printResult({ stream: flags.stream, created, records: put }, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          `${r.created ? 'created stream ' + r.stream + '; ' : ''}put ${r.records} records into ${r.stream}`,
        );
      } finally {
        kinesis.destroy();
      }
    });
}
