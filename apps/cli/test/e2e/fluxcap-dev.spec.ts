import { createTestDatabase } from '@flux-capacitor/testing';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parseEnvFile } from './dev-env-file';
import { descendants, isAlive } from './process-tree';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');

describe('fluxcap dev', () => {
  it('brings up all four services with green /health, then Ctrl-C leaves no process behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-dev-e2e-'));
    // Use the test stack's Postgres server (the same one DATABASE_URL would name for a user), in a database of this
    // test's own: the default `flux` database outlives runs and other test files start dev against the same server.
    const database = await createTestDatabase({ migrate: false });
    const databaseUrl = new URL(database.url);
    const dev = spawn(process.execPath, [FLUXCAP, 'dev', '--random-ports', '--data-dir', dataDir, '--database', databaseUrl.pathname.slice(1)], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl.toString() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    dev.stdout.on('data', (d) => (output += d));
    dev.stderr.on('data', (d) => (output += d));
    try {
      await vi.waitFor(() => dev.exitCode === null && expect(output).toContain('all services ready'), { timeout: 90_000, interval: 100 });
      expect(output).toContain('all services ready');
      for (const svc of ['archiver', 'catalog', 'query-gateway', 'replay-coordinator']) expect(output).toMatch(new RegExp(`${svc} ready at http://127.0.0.1:\\d+`));

      const env = parseEnvFile(join(dataDir, 'dev.env'));
      for (const key of ['FLUX_ARCHIVER_URL', 'FLUX_CATALOG_URL', 'FLUX_QUERY_URL', 'FLUX_REPLAY_URL']) {
        const res = await fetch(`${env[key]}/health`);
        expect(res.status, key).toBe(200);
      }
      expect(env.FLUX_API_TOKEN).toMatch(/^[0-9a-f]{48}$/);
      expect(env.FLUX_API_TOKENS).toContain(env.FLUX_API_TOKEN);
      // the dev archiver's fixed lease owner stays its own: a `fluxcap archive` run from a shell that sourced dev.env
      // would otherwise take the dev archiver's leases as its own
      expect(env.FLUX_ARCHIVER_WORKER_ID).toBeUndefined();
      // the gateway's PostgreSQL endpoint, with the token as the password
      expect(env.FLUX_PG_URL).toBe(`postgres://flux:${env.FLUX_API_TOKEN}@127.0.0.1:${/:(\d+)\/flux$/.exec(env.FLUX_PG_URL)?.[1]}/flux`);
      expect(output).toContain('PostgreSQL endpoint: psql "$FLUX_PG_URL"');
      const pg = new Client({ connectionString: env.FLUX_PG_URL });
      await pg.connect();
      expect((await pg.query('SELECT 6 * 7 AS n')).rows).toEqual([{ n: 42 }]);
      await pg.end();

      const tree = descendants(dev.pid as number);
      expect(tree.length).toBeGreaterThanOrEqual(7); // 3 emulators, 4 services (plus their own children)
      dev.kill('SIGINT');
      await vi.waitFor(() => expect(dev.exitCode).not.toBeNull(), { timeout: 60_000, interval: 100 });
      expect(dev.exitCode).toBe(0);
      await vi.waitFor(() => expect(tree.filter(isAlive)).toEqual([]), { timeout: 15_000, interval: 100 });
    } finally {
      if (dev.exitCode === null) dev.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      await database.drop();
    }
  });

  it('stops the services before the embedded Postgres on Ctrl-C, so no connection is terminated under them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-dev-ctrl-c-'));
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.DATABASE_URL;
    // Its own process group, as a shell gives a foreground job: Ctrl-C signals the whole group.
    const dev = spawn(process.execPath, [FLUXCAP, 'dev', '--random-ports', '--data-dir', dataDir, '--services', 'archiver,catalog'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    dev.stdout.on('data', (d) => (output += d));
    dev.stderr.on('data', (d) => (output += d));
    try {
      await vi.waitFor(() => dev.exitCode === null && expect(output).toContain('all services ready'), { timeout: 120_000, interval: 200 });
      // the demo producer (on by default) writes order events into orders, and the archiver archives them: the catalog
      // infers their schema from the archive objects
      const devEnv = parseEnvFile(join(dataDir, 'dev.env'));
      expect(output).toContain('demo producer: writing order events into orders');
      await vi.waitFor(
        async () => {
          const res = await fetch(`${devEnv.FLUX_CATALOG_URL}/v1/streams/orders/schema`, { headers: { authorization: `Bearer ${devEnv.FLUX_API_TOKEN}` } });
          const schema = (await res.json()) as { lastSeen?: string; fields?: { path: string }[] };
          expect(schema.fields?.map((f) => f.path)).toEqual(expect.arrayContaining(['order_id', 'customer', 'type', 'items[].sku']));
        },
        { timeout: 90_000, interval: 1000 },
      );
      process.kill(-(dev.pid as number), 'SIGINT');
      await vi.waitFor(() => expect(dev.exitCode).not.toBeNull(), { timeout: 60_000, interval: 100 });
      expect(dev.exitCode, output).toBe(0);
      expect(output).not.toMatch(/terminating connection due to administrator command/);
    } finally {
      if (dev.exitCode === null) process.kill(-(dev.pid as number), 'SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('fluxcap errors', () => {
  it('fails with one line naming the bad setting and a non-zero exit code', () => {
    const r = spawnSync(process.execPath, [FLUXCAP, 'migrate'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: 'mysql://x' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^fluxcap: .*DATABASE_URL must be a postgres:\/\/ URL/);
  });

  it('prints errors as JSON with --json', () => {
    const r = spawnSync(process.execPath, [FLUXCAP, 'migrate', '--json'], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(JSON.parse(r.stderr)).toEqual({ error: expect.stringContaining('DATABASE_URL is required') });
  });

  it('rejects an unknown subcommand', () => {
    const r = spawnSync(process.execPath, [FLUXCAP, 'frobnicate'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/unknown command 'frobnicate'/);
  });
});

describe('a service started with bad configuration', () => {
  it('stops at once with exit code 78 and names every bad setting', () => {
    const r = spawnSync(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/catalog/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://x@127.0.0.1/db', FLUX_ARCHIVE_URI: 'ftp://nope', FLUX_SQS_BATCH_SIZE: '11' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toMatch(/FLUX_SQS_BATCH_SIZE must be at most 10/);
    expect(r.stderr).toMatch(/FLUX_ARCHIVE_URI unsupported scheme "ftp:"/);
  });
});
