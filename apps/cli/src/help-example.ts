import type { Command } from 'commander';

/** Ends a command's --help with worked examples: the quickest way to learn a command is to see one. */
export function withExamples<C extends Command>(cmd: C, ...examples: string[]): C {
  cmd.addHelpText('after', `\n${examples.length > 1 ? 'Examples' : 'Example'}:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
  return cmd;
}
