import 'reflect-metadata';
import { ConfigError } from '@flux-capacitor/config';
import { Command, CommanderError } from 'commander';
import { version } from '../package.json';
import { CliError } from './cli-error';
import { registerArchiveCommand } from './commands/archive.command';
import { registerCatalogCommand } from './commands/catalog.command';
import { registerConfigCommand } from './commands/config.command';
import { registerConsumeCommand } from './commands/consume.command';
import { registerDevCommand } from './commands/dev.command';
import { registerMigrateCommand } from './commands/migrate.command';
import { registerQueryCommand } from './commands/query.command';
import { registerProduceCommand } from './commands/produce.command';
import { registerReplayCommand } from './commands/replay.command';
import { registerStackCommand } from './commands/stack.command';

const program = new Command('fluxcap')
  .description('flux-capacitor: archive, search and replay Amazon Kinesis streams')
  .version(version, '-V, --version', 'print the version of fluxcap')
  .option('--json', 'machine-readable output')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

registerStackCommand(program);
registerDevCommand(program);
registerMigrateCommand(program);
registerConfigCommand(program);
registerProduceCommand(program);
registerArchiveCommand(program);
registerCatalogCommand(program);
registerQueryCommand(program);
registerConsumeCommand(program);
registerReplayCommand(program);

/** Every failure ends as one line on stderr and a non-zero exit code. */
function fail(err: unknown): never {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  const message = err instanceof Error ? err.message : String(err);
  const json = process.argv.includes('--json');
  process.stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `fluxcap: ${message.split('\n')[0]}\n`);
  process.exit(err instanceof CliError ? err.exitCode : err instanceof ConfigError ? 78 : 1);
}

program.parseAsync(process.argv).catch(fail);
