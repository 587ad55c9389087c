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

let program: Command;
let commands: [string, Command][];

beforeAll(async () => {
  program = await buildProgram();
  commands = walk(program);
});

describe('fluxcap --help', () => {
  it('covers the commands of a complete client', () => {
    const names = commands.map(([name]) => name);
    for (const name of ['catalog streams', 'catalog schema', 'catalog partitions', 'status', 'tail', 'produce', 'query', 'query list', 'replay start']) expect(names).toContain(name);
  });

  it('every command and subcommand lists --json and ends with an example', () => {
    expect(commands.length).toBeGreaterThan(20);
    for (const [name, command] of commands) {
      const help = helpOf(command);
      expect(help, name).toContain('--json');
      expect(help.trimEnd(), name).toMatch(/Examples?:\n( {2}\$ .+\n?)+$/);
    }
  });
});

describe('buildProgram', () => {
  const names = (p: Command) => p.commands.map((c) => c.name());

  it('builds only the command named first, so `fluxcap archive` loads the archiver alone', async () => {
    const only = await buildProgram('archive');
    expect(names(only)).toEqual(['archive']);
    expect(only.commands[0].options.map((o) => o.long)).toEqual(walk(program).find(([n]) => n === 'archive')![1].options.map((o) => o.long));
  });

  it('builds every command, in the order help lists them, for help, an option first, or a name that is no command', async () => {
    const all = ['stack', 'dev', 'migrate', 'config', 'produce', 'archive', 'catalog', 'query', 'tail', 'status', 'consume', 'replay'];
    expect(names(program)).toEqual(all);
    for (const first of ['help', '--json', 'archiv', 'toString', undefined]) expect(names(await buildProgram(first))).toEqual(all);
  });
});
