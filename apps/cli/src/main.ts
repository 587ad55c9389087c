import 'reflect-metadata';
import { ConfigError } from '@flux-capacitor/config';
import { CommanderError } from 'commander';
import { CliError } from './cli-error';
import { buildProgram, VERSION } from './program';

/**
 * Exit codes: 0 success (and --help, --version); 2 a usage error (unknown option or command, missing argument, bad
 * value); 78 a bad setting (EX_CONFIG); 130 stopped by Ctrl-C; 1 any other failure, as one readable line (the stack
 * only with --verbose or FLUX_DEBUG).
 */
function fail(err: unknown): never {
  // commander has printed its own message (and the hint) already
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 2);
  const message = err instanceof Error ? err.message : String(err);
  const json = process.argv.includes('--json');
  const debug = process.argv.includes('--verbose') || Boolean(process.env.FLUX_DEBUG);
  process.stderr.write(json ? `${JSON.stringify({ error: message })}\n` : `fluxcap: ${message.split('\n')[0]}\n`);
  if (debug && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(err instanceof CliError ? err.exitCode : err instanceof ConfigError ? 78 : 1);
}

// Only as the first argument: commander would otherwise take `catalog schema --version 2` as the program's --version.
const first = process.argv[2];
if (first === '--version' || first === '-V') process.stdout.write(`${VERSION}\n`);
else
  buildProgram(first)
    .then((program) => program.parseAsync(process.argv))
    .catch(fail);
