import { describeSettings, loadConfig } from '@flux-capacitor/config';
import type { Command } from 'commander';
import { cliEnv } from '../cli-env';
import { printResult, renderTable, type GlobalOptions } from '../output';

export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('Inspect flux-capacitor settings');
  config
    .command('list')
    .description('Every setting the services read, with its default')
    .option('--markdown', 'as the Markdown table the README carries')
    .action((flags: { markdown?: boolean }, cmd: Command) => {
      const settings = describeSettings();
      if (flags.markdown) {
        const esc = (s: string) => s.replace(/\|/g, '\\|');
        process.stdout.write(
          ['| Setting | Default | Meaning |', '| --- | --- | --- |', ...settings.map((s) => `| \`${s.key}\` | ${s.default !== undefined ? `\`${s.default}\`` : ''} | ${esc(s.description)} |`)].join('\n') + '\n',
        );
        return;
      }
      printResult(settings, cmd.optsWithGlobals<GlobalOptions>(), (rows) => renderTable(rows));
    });
  config
    .command('check')
    .description('Validate the current environment as a service would at start-up')
    .action((_flags: unknown, cmd: Command) => {
      const c = loadConfig(cliEnv.all);
      printResult({ valid: true, archive: c.archive.uri }, cmd.optsWithGlobals<GlobalOptions>(), (r) => `configuration is valid (archive ${r.archive})`);
    });
}
