import { createKinesisClient, createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { Archiver, type ArchiveRunSummary } from '@flux-capacitor/shard-archiver';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { Logger } from '@nestjs/common';
import type { Command } from 'commander';
import { withExamples } from '../help-example';
import { startActivity } from '../terminal';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { printResult, renderTable, type GlobalOptions } from '../output';
import { stderrLogger } from '../stderr-logger';

export function registerArchiveCommand(program: Command): void {
  withExamples(
    program
      .command('archive')
      .description('Archive Kinesis streams to the archive (FLUX_ARCHIVE_URI). --once drains to the tip, commits and exits')
      .option('--stream <name...>', 'stream(s) to archive (default: FLUX_ARCHIVER_STREAMS)')
      .option('--once', 'drain every shard up to the tip seen at start, flush, commit and exit (cron mode)')
      .action(async (flags: { stream?: string[]; once?: boolean }, cmd: Command) => {
        const config = loadConfig(cliEnv.all);
        const streams = flags.stream ?? config.archiver.streams;
        if (streams.length === 0) throw new CliError('name a stream with --stream or set FLUX_ARCHIVER_STREAMS');
        Logger.overrideLogger(stderrLogger(config.log.level));
        const kinesis = createKinesisClient(config.aws);
        const s3 = createS3Client(config.aws);
        const sqs = createSqsClient(config.aws);
        const dataSource = await createDataSource(config.database).initialize();
        const archiver = await Archiver.create({
          config,
          kinesis,
          s3,
          dataSource,
          publisher: new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' }),
        });
        try {
          if (flags.once) {
            const summaries: ArchiveRunSummary[] = [];
            for (const stream of streams) {
              const activity = startActivity(`archiving ${stream} up to the tip seen at start`);
              summaries.push(await archiver.runOnce(stream).finally(() => activity.stop('done')));
            }
            const result = summaries.length === 1 ? summaries[0] : { streams: summaries };
            printResult(result, cmd.optsWithGlobals<GlobalOptions>(), () =>
              summaries
                .map(
                  (s) =>
                    `${s.stream}: ${s.records} records in ${s.objects} objects (${s.bytes} bytes) in ${s.durationMs} ms` +
                    (s.skipped.length ? `; skipped (leased elsewhere): ${s.skipped.join(', ')}` : '') +
                    `\n${renderTable(s.shards.map((x) => ({ shard: x.shardId, outcome: x.outcome, records: x.records, objects: x.objects, last_sequence: x.lastSequenceNumber })))}`,
                )
                .join('\n\n'),
            );
          } else {
            archiver.start(streams);
            await new Promise<void>((resolve) => {
              process.once('SIGINT', resolve);
              process.once('SIGTERM', resolve);
            });
            await archiver.stop(config.shutdownGraceMs);
          }
        } finally {
          await archiver.close();
          await dataSource.destroy();
          kinesis.destroy();
          s3.destroy();
          sqs.destroy();
        }
      }),
    'fluxcap archive --stream orders --once',
  );
}
