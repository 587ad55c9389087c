import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createStream, createTestDatabase, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');
const SERVICES = ['archiver', 'catalog', 'query-gateway', 'replay-coordinator'] as const;

/**
 * What each image runs: `node dist/apps/<service>/main.js` from `npm run build`, no TypeScript hook, bound to all
 * interfaces, against the local stack. The Dockerfiles COPY exactly this output (tools/build/images.spec.ts).
 */
describe('services built by npm run build', () => {
  let db: TestDatabase;
  let work: string;
  beforeAll(() => {
    // The real build (Nx, cached): what the Dockerfiles run, minus the container.
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe', env: { ...process.env, NX_DAEMON: 'false', PATH: `${dirname(process.execPath)}:${process.env.PATH}` } });
  }, 300_000);
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
