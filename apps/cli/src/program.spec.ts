import type { Command } from 'commander';
import { buildProgram } from './program';

/** Every command, subcommands included, with its full name (`catalog schema`). */
function walk(cmd: Command, prefix = ''): [string, Command][] {
  return cmd.commands.flatMap((c) => [[`${prefix}${c.name()}`, c] as [string, Command], ...walk(c, `${prefix}${c.name()} `)]);
}

function helpOf(cmd: Command): string {
  let text = '';
  cmd.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  cmd.outputHelp();
  return text;
}

describe('fluxcap --help', () => {
  const commands = walk(buildProgram());

  it('covers the commands of a complete client', () => {
    const names = commands.map(([name]) => name);
    for (const name of ['catalog streams', 'catalog schema', 'catalog partitions', 'status', 'tail', 'produce', 'query', 'query list', 'replay start']) expect(names).toContain(name);
  });

  it.each(walk(buildProgram()).map(([name]) => name))('%s: lists --json and ends with an example', (name) => {
    const help = helpOf(commands.find(([n]) => n === name)?.[1] as Command);
    expect(help).toContain('--json');
    expect(help.trimEnd()).toMatch(/Examples?:\n( {2}\$ .+\n?)+$/);
  });
});
