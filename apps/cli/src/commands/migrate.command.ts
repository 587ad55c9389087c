import { loadDatabaseSettings } from '@flux-capacitor/config';
import { migrate, revert } from '@flux-capacitor/persistence';
import { InvalidArgumentError, type Command } from 'commander';
import { withExamples } from '../help-example';
import { cliEnv } from '../cli-env';
import { printResult, type GlobalOptions } from '../output';

export function registerMigrateCommand(program: Command): void {
  withExamples(
    program
      .command('migrate')
      .description('Apply pending database migrations to DATABASE_URL (or revert the last N with --revert)')
      .option('--revert <n>', 'revert the last n migrations instead', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('takes a whole number >= 1');
        return n;
      })
      .action(async (flags: { revert?: number }, cmd: Command) => {
        const database = loadDatabaseSettings(cliEnv.all);
        const names = flags.revert ? await revert(database, flags.revert) : await migrate(database);
        const result = { action: flags.revert ? 'reverted' : 'applied', migrations: names };
        printResult(result, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
          r.migrations.length ? `${r.action}: ${r.migrations.join(', ')}` : 'nothing to do: database is up to date',
        );
      }),
    'DATABASE_URL=postgres://flux@db/flux fluxcap migrate',
    'fluxcap migrate --revert 1',
  );
}
