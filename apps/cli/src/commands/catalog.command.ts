import { CatalogReader, archiveHiveTableDdl, kinesisHiveTableDdl, streamLocationOf } from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { Logger } from '@nestjs/common';
import { InvalidArgumentError, type Command } from 'commander';
import { cliEnv } from '../cli-env';
import { compactStream } from '../catalog-compact';
import { rebuildStreamCatalogs } from '../catalog-rebuild';
import { asUsage as usage, CliError, UsageError } from '../cli-error';
import { withExamples } from '../help-example';
import { printResult, renderTable, type GlobalOptions } from '../output';
import { call, fluxClient, hasService } from '../flux-api';
import { stderrLogger } from '../stderr-logger';
import { startActivity } from '../terminal';
import { parseTime } from './replay.command';

/** `fluxcap catalog ...`: rebuild the catalog from the archive, list streams, print Hive DDL. */
export function registerCatalogCommand(program: Command): void {
  const catalog = withExamples(
    program
      .command('catalog')
      .description(
        'The catalog of archived streams (derived from the archive; rebuildable). Read over the catalog API when FLUX_CATALOG_URL is set, from DATABASE_URL otherwise',
      ),
    'fluxcap catalog schema --stream orders',
  );

  withExamples(
    catalog
      .command('rebuild')
      .description("Rebuild a stream's catalog from the archive itself: objects, partitions, schema; then sync the metastores")
      .requiredOption('--stream <name>', 'stream to rebuild')
      .action(async (flags: { stream: string }, cmd: Command) => {
        const config = loadConfig(cliEnv.all);
        // Logs go to stderr as JSON lines; stdout carries only the report.
        Logger.overrideLogger(stderrLogger(config.log.level));
        const activity = startActivity(`rebuilding the catalog of ${flags.stream} from the archive`);
        const [report] = await rebuildStreamCatalogs(config, [flags.stream]).finally(() => activity.stop('done'));
        printResult(report, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          [
            `rebuilt ${r.stream}: ${r.listed} archive objects (${r.added} added, ${r.kept} already catalogued, ${r.retired} compacted away), ${r.removed} removed, ${r.skipped} skipped`,
            `partitions added: ${r.partitionsAdded}; schema version: ${r.schemaVersion ?? 'none'}`,
          ].join('\n'),
        );
      }),
    'fluxcap catalog rebuild --stream orders',
  );

  withExamples(
    catalog
      .command('compact')
      .description(
        "Compact a stream's closed hours now (the catalog service does it every FLUX_CATALOG_COMPACT_INTERVAL_SECONDS): each hour's objects rewritten as one sorted by partition key, the replaced ones retired and deleted after the grace",
      )
      .requiredOption('--stream <name>', 'stream to compact')
      .option('--settle-minutes <n>', 'minutes after an hour ends before it is compacted (default FLUX_CATALOG_COMPACT_SETTLE_MINUTES)', minutes)
      .option('--dry-run', 'print the hours and objects a pass would rewrite; change nothing')
      .action(async (flags: { stream: string; settleMinutes?: number; dryRun?: boolean }, cmd: Command) => {
        const config = loadConfig(cliEnv.all);
        if (!config.catalog.compaction.enabled) {
          throw new CliError('compaction is off (FLUX_CATALOG_COMPACTION=false, or Drill is configured: it reads the stream\'s folders directly)');
        }
        Logger.overrideLogger(stderrLogger(config.log.level));
        const activity = startActivity(`compacting the closed hours of ${flags.stream}`);
        const run = await compactStream(config, flags.stream, {
          settleMs: flags.settleMinutes === undefined ? undefined : flags.settleMinutes * 60_000,
          dryRun: flags.dryRun,
        }).finally(() => activity.stop('done'));
        printResult(run, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          r.plan
            ? r.plan.length === 0
              ? `nothing to compact in ${flags.stream}`
              : renderTable(r.plan.map((g) => ({ dt: g.dt, hour: g.hour, objects: g.objects, bytes: g.bytes })))
            : [
                `compacted ${r.report.stream}: ${r.report.replaced} objects in ${r.report.hours} hours into ${r.report.written} (${r.report.records} records, ${r.report.bytesBefore} -> ${r.report.bytesAfter} bytes)`,
                `duplicates dropped: ${r.report.duplicatesDropped}; hours lost to another compaction: ${r.report.conflicts}; hours failed: ${r.report.failed}; retired files deleted: ${r.retiredDeleted}`,
              ].join('\n'),
        );
      }),
    'fluxcap catalog compact --stream orders',
    'fluxcap catalog compact --stream orders --settle-minutes 0 --dry-run',
  );

  withExamples(
    catalog
      .command('streams')
      .description('List catalogued streams with object, record and partition counts (over the catalog API when FLUX_CATALOG_URL is set)')
      .action(async (_flags: unknown, cmd: Command) => {
        const streams = await catalogSource().streams();
        printResult({ streams }, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          renderTable(
            r.streams.map((s) => ({
              stream: s.name,
              format: s.format,
              objects: s.objectCount,
              records: s.recordCount,
              partitions: s.partitionCount,
              first: s.firstArrivalTime,
              last: s.lastArrivalTime,
              schema: s.schemaVersion,
            })),
          ),
        );
      }),
    'fluxcap catalog streams',
    'fluxcap catalog streams --json | jq -r ".streams[].name"',
  );

  withExamples(
    catalog
      .command('schema')
      .description("A stream's inferred schema (field paths, JSON types, nullability) and its versions")
      .requiredOption('--stream <name>', 'stream')
      .option('--version <n>', 'this schema version instead of the latest', wholeNumber)
      .action(async (flags: { stream: string; version?: number }, cmd: Command) => {
        const schema = await catalogSource().schema(flags.stream, flags.version);
        printResult(schema, cmd.optsWithGlobals<GlobalOptions>(), renderSchema);
      }),
    'fluxcap catalog schema --stream orders',
    'fluxcap catalog schema --stream orders --version 1 --json',
  );

  withExamples(
    catalog
      .command('partitions')
      .description("A stream's dt/hour partitions, oldest first, with their records, bytes and objects")
      .requiredOption('--stream <name>', 'stream')
      .option('--from <time>', 'partitions ending after this time: ISO time or an age like 2h, 7d')
      .option('--to <time>', 'partitions starting at or before this time: ISO time or an age like 30m')
      .action(async (flags: { stream: string; from?: string; to?: string }, cmd: Command) => {
        const now = new Date();
        const range = {
          from: flags.from === undefined ? undefined : usage(() => parseTime('--from', flags.from as string, now)),
          to: flags.to === undefined ? undefined : usage(() => parseTime('--to', flags.to as string, now)),
        };
        if (range.from && range.to && range.from > range.to) throw new UsageError(`--from (${range.from}) is after --to (${range.to})`);
        const partitions = await catalogSource().partitions(flags.stream, range);
        printResult({ stream: flags.stream, partitions }, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          renderTable(
            r.partitions.map((p) => ({
              dt: p.dt,
              hour: p.hour,
              starts: p.startsAt,
              records: p.recordCount,
              bytes: p.bytes,
              objects: p.objectCount,
              location: p.location,
            })),
          ),
        );
      }),
    'fluxcap catalog partitions --stream orders --from 24h',
  );

  withExamples(
    catalog
      .command('ddl')
      .description('Print Hive DDL: the EMR KinesisStorageHandler table over the live stream (default) or the Parquet archive table')
      .requiredOption('--stream <name>', 'stream')
      .option('--archive', 'the external Parquet table over the archive instead of the live Kinesis table')
      .option('--database <name>', 'Hive database for --archive (default FLUX_HIVE_DATABASE)')
      .action(async (flags: { stream: string; archive?: boolean; database?: string }, cmd: Command) => {
        const source = catalogSource();
        let ddl: string;
        if (flags.archive) {
          const partition = (await source.partitions(flags.stream, {})).at(-1);
          if (!partition) throw new CliError(`the catalog has no partitions of stream ${flags.stream}; run fluxcap catalog rebuild --stream ${flags.stream}`);
          // The Hive database is a client-side choice; the embedded default reads it from the settings.
          ddl = archiveHiveTableDdl(flags.stream, streamLocationOf(partition.location), flags.database ?? cliEnv.all.FLUX_HIVE_DATABASE ?? 'flux');
        } else {
          const schema = await source.schemaOrNull(flags.stream);
          ddl = kinesisHiveTableDdl(flags.stream, schema && { ...schema, firstSeen: new Date(schema.firstSeen), lastSeen: new Date(schema.lastSeen) });
        }
        printResult({ stream: flags.stream, ddl }, cmd.optsWithGlobals<GlobalOptions>(), (r) => r.ddl);
      }),
    'fluxcap catalog ddl --stream orders',
    'fluxcap catalog ddl --stream orders --archive --database analytics',
  );
}

function minutes(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('takes a whole number of minutes >= 0');
  return n;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number >= 1');
  return n;
}


/** A catalogued stream as both sources give it: times as ISO strings (JSON), never Date objects. */
export interface CatalogStreamView {
  name: string;
  format: string | null;
  objectCount: number;
  recordCount: number;
  bytes: number;
  partitionCount: number;
  firstArrivalTime: string | null;
  lastArrivalTime: string | null;
  schemaVersion: number | null;
  corruptObjectCount: number;
}

export interface CatalogPartitionView {
  stream: string;
  dt: string;
  hour: number;
  location: string;
  startsAt: string;
  objectCount: number;
  recordCount: number;
  bytes: number;
}

export interface CatalogSchemaView {
  stream: string;
  version: number;
  format: 'json' | 'binary';
  fields: {
    path: string;
    types: string[];
    nullable: boolean;
    firstSeen: string;
    lastSeen: string;
  }[];
  firstSeen: string;
  lastSeen: string;
  versions?: { version: number; firstSeen: string; lastSeen: string }[];
}

/** What the catalog commands read, from the catalog API or (no FLUX_CATALOG_URL) the catalog tables directly. */
interface CatalogSource {
  streams(): Promise<CatalogStreamView[]>;
  schema(stream: string, version?: number): Promise<CatalogSchemaView>;
  /** The latest schema, or null before inference (the live-table DDL has a generic shape then). */
  schemaOrNull(stream: string): Promise<CatalogSchemaView | null>;
  partitions(stream: string, range: { from?: string; to?: string }): Promise<CatalogPartitionView[]>;
}

/** Dates become ISO strings, as they are in the API's JSON. */
const asJson = <T>(value: unknown): T => JSON.parse(JSON.stringify(value)) as T;

function catalogSource(): CatalogSource {
  if (hasService('catalog')) {
    const catalog = fluxClient().catalog;
    const schema = async (stream: string, version?: number): Promise<CatalogSchemaView> =>
      (await call('catalog', catalog.GET('/v1/streams/{stream}/schema', { params: { path: { stream }, query: { version } } }))) as CatalogSchemaView;
    return {
      streams: async () => (await call('catalog', catalog.GET('/v1/streams'))).streams as CatalogStreamView[],
      schema,
      schemaOrNull: (stream) =>
        schema(stream).catch((err: unknown) => {
          if ((err as { code?: string }).code === 'SCHEMA_NOT_INFERRED') return null;
          throw err;
        }),
      partitions: async (stream, range) =>
        (await call('catalog', catalog.GET('/v1/streams/{stream}/partitions', { params: { path: { stream }, query: range } }))).partitions as CatalogPartitionView[],
    };
  }
  const withReader = async <T>(use: (reader: CatalogReader) => Promise<T>): Promise<T> => {
    const ds = await createDataSource(loadConfig(cliEnv.all).database.url).initialize();
    try {
      return await use(new CatalogReader(ds));
    } finally {
      await ds.destroy();
    }
  };
  const latest = (reader: CatalogReader, stream: string, version?: number) =>
    withSchemaVersions(reader, stream, version).then((s) => (s ? asJson<CatalogSchemaView>(s) : null));
  return {
    streams: () => withReader(async (reader) => asJson<CatalogStreamView[]>(await reader.listStreams())),
    schema: (stream, version) =>
      withReader(async (reader) => {
        if (!(await reader.getStream(stream))) throw new CliError(`the catalog has no stream ${stream}`);
        const found = await latest(reader, stream, version);
        if (!found)
          throw new CliError(
            version === undefined ? `no schema has been inferred for stream ${stream} yet` : `stream ${stream} has no schema version ${version}`,
          );
        return found;
      }),
    schemaOrNull: (stream) => withReader((reader) => latest(reader, stream)),
    partitions: (stream, range) =>
      withReader(async (reader) => {
        if (!(await reader.getStream(stream))) throw new CliError(`the catalog has no stream ${stream}`);
        return asJson<CatalogPartitionView[]>(
          await reader.listPartitions(stream, {
            from: range.from ? new Date(range.from) : undefined,
            to: range.to ? new Date(range.to) : undefined,
          }),
        );
      }),
  };
}

/** The schema (latest or of one version) with the list of versions, as the API's `/schema` answers. */
async function withSchemaVersions(reader: CatalogReader, stream: string, version?: number) {
  const schema = await reader.getSchema(stream, version);
  if (!schema) return null;
  const versions = (await reader.listSchemaVersions(stream)).map((v) => ({
    version: v.version,
    firstSeen: v.firstSeen,
    lastSeen: v.lastSeen,
  }));
  return { ...schema, versions };
}

/** `orders schema v2 (json), 2 versions` and a table of its fields. */
export function renderSchema(schema: CatalogSchemaView): string {
  const versions = schema.versions?.length ? `; versions ${schema.versions.map((v) => v.version).join(', ')}` : '';
  const head = `${schema.stream} schema version ${schema.version} (${schema.format}), seen ${schema.firstSeen} .. ${schema.lastSeen}${versions}`;
  if (schema.format !== 'json')
    return `${head}
(binary records: no fields)`;
  return `${head}
${renderTable(schema.fields.map((f) => ({ field: f.path, types: f.types.join('|'), nullable: f.nullable ? 'yes' : 'no', first_seen: f.firstSeen, last_seen: f.lastSeen })))}`;
}
