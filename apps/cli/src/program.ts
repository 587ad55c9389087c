import { Command } from 'commander';
import { registerArchiveCommand } from './commands/archive.command';
import { registerCatalogCommand } from './commands/catalog.command';
import { registerConfigCommand } from './commands/config.command';
import { registerConsumeCommand } from './commands/consume.command';
import { registerDevCommand } from './commands/dev.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerProduceCommand } from './commands/produce.command';
import { registerQueryCommand } from './commands/query.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerStackCommand } from './commands/stack.command';
import { registerStatusCommand } from './commands/status.command';
import { registerTailCommand } from './commands/tail.command';
// Imported (not read from disk) so the build copies package.json beside the compiled CLI.
import { version } from '../package.json';

export const VERSION: string = version;

/** The whole `fluxcap` command tree, without parsing anything (main.ts parses; the spec walks its help). */
export function buildProgram(): Command {
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

  registerStackCommand(program);
  registerDevCommand(program);
  registerMigrateCommand(program);
  registerConfigCommand(program);
  registerProduceCommand(program);
  registerArchiveCommand(program);
  registerCatalogCommand(program);
  registerQueryCommand(program);
  registerTailCommand(program);
  registerStatusCommand(program);
  registerConsumeCommand(program);
  registerReplayCommand(program);
  return program;
}
