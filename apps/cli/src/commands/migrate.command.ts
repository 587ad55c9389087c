import { loadDatabaseUrl } from '@flux-capacitor/config';
import { migrate, revert } from '@flux-capacitor/persistence';
import type { Command } from 'commander';
import { cliEnv } from '../cli-env';
import { printResult, type GlobalOptions } from '../output';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('Apply pending database migrations to DATABASE_URL (or revert the last N with --revert)')
    .option('--revert <n>', 'revert the last n migrations instead', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new Error('--revert takes a whole number >= 1');
      return n;
    })
    .action(async (flags: { revert?: number }, cmd: Command) => {
      const url = loadDatabaseUrl(cliEnv.all);
      const names = flags.revert ? await revert(url, flags.revert) : await migrate(url);
      const result = { action: flags.revert ? 'reverted' : 'applied', migrations: names };
      printResult(result, cmd.optsWithGlobals<GlobalOptions>(), (r) =>
        r.migrations.length ? `${r.action}: ${r.migrations.join(', ')}` : 'nothing to do: database is up to date',
      );
    });
}
