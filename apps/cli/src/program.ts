import { Command } from 'commander';
// Imported (not read from disk) so the build copies package.json beside the compiled CLI.
import { version } from '../package.json';

export const VERSION: string = version;

/**
 * Each command's module, loaded when the program is built. A command's module brings its dependencies: all of them
 * together are the query engine, the Hive metastore client, the console's server and the archiver, so `fluxcap
 * archive` loads its own alone (a heap of 47 MiB instead of 63, 44 MiB less resident at start: less for the
 * collector to mark and less for the archiver's memory goal; docs/archiver.md "Garbage collection").
 */
const COMMANDS = {
  stack: async () => (await import('./commands/stack.command')).registerStackCommand,
  dev: async () => (await import('./commands/dev.command')).registerDevCommand,
  migrate: async () => (await import('./commands/migrate.command')).registerMigrateCommand,
  config: async () => (await import('./commands/config.command')).registerConfigCommand,
  produce: async () => (await import('./commands/produce.command')).registerProduceCommand,
  archive: async () => (await import('./commands/archive.command')).registerArchiveCommand,
  catalog: async () => (await import('./commands/catalog.command')).registerCatalogCommand,
  query: async () => (await import('./commands/query.command')).registerQueryCommand,
  tail: async () => (await import('./commands/tail.command')).registerTailCommand,
  status: async () => (await import('./commands/status.command')).registerStatusCommand,
  consume: async () => (await import('./commands/consume.command')).registerConsumeCommand,
  replay: async () => (await import('./commands/replay.command')).registerReplayCommand,
} satisfies Record<string, () => Promise<(program: Command) => void>>;

/**
 * The `fluxcap` command tree, without parsing anything (main.ts parses; the spec walks its help): every command, or
 * only `command` when it names one (the first argument: anything else, help, an unknown command or an option first,
 * gets them all, so help and commander's suggestions see every command).
 */
export async function buildProgram(command?: string): Promise<Command> {
  const program = new Command('fluxcap')
    .description('flux-capacitor: archive, search and replay Amazon Kinesis streams')
    .option('--json', 'machine-readable output (one JSON document on stdout)')
    .option('--verbose', 'on failure, print the stack trace too (also FLUX_DEBUG=1)')
    // Set before any subcommand exists: subcommands copy it, so every --help lists --json where it is used.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addHelpText(
    'after',
    `
\`fluxcap --version\` (or -V) prints the version.

Most commands talk to the services over HTTP when their URL is set (FLUX_QUERY_URL, FLUX_CATALOG_URL,
FLUX_REPLAY_URL, FLUX_ARCHIVER_URL, with FLUX_API_TOKEN); \`source .flux/dev.env\` after \`npm start\` sets them all.

Example:
  $ fluxcap query "SELECT source, count(*) AS n FROM orders GROUP BY source"`,
  );

  const names = (command !== undefined && Object.hasOwn(COMMANDS, command) ? [command] : Object.keys(COMMANDS)) as (keyof typeof COMMANDS)[];
  for (const register of await Promise.all(names.map((name) => COMMANDS[name]()))) register(program);
  return program;
}
