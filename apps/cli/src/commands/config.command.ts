import { describeSettings, loadConfig, settingsMarkdown } from '@flux-capacitor/config';
import type { Command } from 'commander';
import { withExamples } from '../help-example';
import { cliEnv } from '../cli-env';
import { printResult, renderTable, type GlobalOptions } from '../output';

export function registerConfigCommand(program: Command): void {
  const config = withExamples(program.command('config').description('Inspect flux-capacitor settings'), 'fluxcap config list', 'fluxcap config check');
  withExamples(
    config
      .command('list')
      .description('Every setting the services read, with its default')
      .option('--markdown', 'as the Markdown table the README carries')
      .action((flags: { markdown?: boolean }, cmd: Command) => {
        if (flags.markdown) {
          process.stdout.write(`${settingsMarkdown()}\n`);
          return;
        }
        printResult(describeSettings(), cmd.optsWithGlobals<GlobalOptions>(), (rows) => renderTable(rows));
      }),
    'fluxcap config list --markdown',
  );
  withExamples(
    config
      .command('check')
      .description('Validate the current environment as a service would at start-up')
      .action((_flags: unknown, cmd: Command) => {
        const c = loadConfig(cliEnv.all);
        printResult({ valid: true, archive: c.archive.uri }, cmd.optsWithGlobals<GlobalOptions>(), (r) => `configuration is valid (archive ${r.archive})`);
      }),
    'source .flux/dev.env && fluxcap config check',
  );
}
