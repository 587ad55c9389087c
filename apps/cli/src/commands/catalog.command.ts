import { createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import {
  ArchiveObjectInspector,
  CatalogIngest,
  CatalogReader,
  CatalogWriter,
  archiveHiveTableDdl,
  createMetastores,
  kinesisHiveTableDdl,
  rebuildCatalog,
  streamLocationOf,
} from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { Logger } from '@nestjs/common';
import type { Command } from 'commander';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { printResult, renderTable, type GlobalOptions } from '../output';
import { stderrLogger } from '../stderr-logger';

/** `fluxcap catalog ...`: rebuild the catalog from the archive, list streams, print Hive DDL. */
export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('The catalog of archived streams (derived from the archive; rebuildable)');

  catalog
    .command('rebuild')
    .description('Rebuild a stream\'s catalog from the archive itself: objects, partitions, schema; then sync the metastores')
    .requiredOption('--stream <name>', 'stream to rebuild')
    .action(async (flags: { stream: string }, cmd: Command) => {
      const config = loadConfig(cliEnv.all);
      // Logs go to stderr as JSON lines; stdout carries only the report.
      Logger.overrideLogger(stderrLogger(config.log.level));
      const ds = await createDataSource(config.database.url).initialize();
      const s3 = createS3Client(config.aws);
      const inspector = await ArchiveObjectInspector.create();
      try {
        const reader = new CatalogReader(ds);
        const writer = new CatalogWriter(ds);
        const store = createArchiveStore(config.archive, s3);
        const metastores = createMetastores(config.catalog, config.aws);
        const ingest = new CatalogIngest({
          writer,
          reader,
          store,
          inspector,
          metastores,
          strictMetastores: false,
          sampleRecords: config.catalog.schemaSampleRecords,
          // A rebuild restores derived state; consumers of catalog.partition.added are not re-notified.
          publishPartitionAdded: async () => undefined,
        });
        const report = await rebuildCatalog(flags.stream, { writer, reader, store, inspector, sampleRecords: config.catalog.schemaSampleRecords, ingest });
        printResult(report, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          [
            `rebuilt ${r.stream}: ${r.listed} archive objects (${r.added} added, ${r.kept} already catalogued), ${r.removed} removed, ${r.skipped} skipped`,
            `partitions added: ${r.partitionsAdded}; schema version: ${r.schemaVersion ?? 'none'}`,
          ].join('\n'),
        );
      } finally {
        inspector.close();
        s3.destroy();
        await ds.destroy();
      }
    });

  catalog
    .command('streams')
    .description('List catalogued streams with object, record and partition counts')
    .action(async (_flags: unknown, cmd: Command) => {
      const config = loadConfig(cliEnv.all);
      const ds = await createDataSource(config.database.url).initialize();
      try {
        const streams = await new CatalogReader(ds).listStreams();
        printResult({ streams }, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          renderTable(
            r.streams.map((s) => ({
              stream: s.name,
              format: s.format,
              objects: s.objectCount,
              records: s.recordCount,
              partitions: s.partitionCount,
              first: s.firstArrivalTime?.toISOString(),
              last: s.lastArrivalTime?.toISOString(),
              schema: s.schemaVersion,
            })),
          ),
        );
      } finally {
        await ds.destroy();
      }
    });

  catalog
    .command('ddl')
    .description('Print Hive DDL: the EMR KinesisStorageHandler table over the live stream (default) or the Parquet archive table')
    .requiredOption('--stream <name>', 'stream')
    .option('--archive', 'the external Parquet table over the archive instead of the live Kinesis table')
    .option('--database <name>', 'Hive database for --archive (default FLUX_HIVE_DATABASE)')
    .action(async (flags: { stream: string; archive?: boolean; database?: string }, cmd: Command) => {
      const config = loadConfig(cliEnv.all);
      const ds = await createDataSource(config.database.url).initialize();
      try {
        const reader = new CatalogReader(ds);
        let ddl: string;
        if (flags.archive) {
          const partition = (await reader.listPartitions(flags.stream)).at(-1);
          if (!partition) throw new CliError(`the catalog has no partitions of stream ${flags.stream}; run fluxcap catalog rebuild --stream ${flags.stream}`);
          ddl = archiveHiveTableDdl(flags.stream, streamLocationOf(partition.location), flags.database ?? config.catalog.hive?.database ?? 'flux');
        } else {
          ddl = kinesisHiveTableDdl(flags.stream, await reader.getSchema(flags.stream));
        }
        printResult({ stream: flags.stream, ddl }, cmd.optsWithGlobals<GlobalOptions>(), (r) => r.ddl);
      } finally {
        await ds.destroy();
      }
    });
}
