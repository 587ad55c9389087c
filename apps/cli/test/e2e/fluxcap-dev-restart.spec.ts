import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { createTestDatabase } from '@flux-capacitor/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { parseEnvFile } from './dev-env-file';
import { descendants, isAlive } from './process-tree';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');

interface Dev {
  child: ChildProcess;
  output: () => string;
  env: Record<string, string>;
}

/**
 * `npm start` run again on the same checkout: the archive, catalog and checkpoints persist in the data dir (and the
 * database), so the Kinesis stream they point into, and the records not yet archived, must persist too.
 */
describe('fluxcap dev started again on the same data dir', () => {
  let dataDir: string;
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let dev: Dev | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'flux-dev-restart-'));
    // The test stack's Postgres server, in a database of this test's own, kept across the restarts as `.flux` would be.
    database = await createTestDatabase({ migrate: false });
  });

  afterAll(async () => {
    if (dev && dev.child.exitCode === null) process.kill(-(dev.child.pid as number), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  async function startDev(): Promise<Dev> {
    const url = new URL(database.url);
    const child = spawn(
      process.execPath,
      [FLUXCAP, 'dev', '--random-ports', '--data-dir', dataDir, '--database', url.pathname.slice(1), '--services', 'archiver,catalog,query-gateway'],
      // Objects every 2 s instead of 10 s: the records reach the archive sooner.
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url.toString(), FLUX_BUFFER_INTERVAL_SECONDS: '2' }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    await vi.waitFor(
      () => {
        expect(child.exitCode, output).toBeNull();
        expect(output).toContain('all services ready');
      },
      { timeout: 240_000, interval: 200 },
    );
    return { child, output: () => output, env: parseEnvFile(join(dataDir, 'dev.env')) };
  }

  async function produce(d: Dev, label: string, count: number): Promise<string[]> {
    const kinesis = createKinesisClient({ region: d.env.AWS_REGION, endpoints: { kinesis: d.env.AWS_ENDPOINT_URL_KINESIS }, s3ForcePathStyle: true });
    const ids = Array.from({ length: count }, (_, i) => `${label}-${i}`);
    try {
      const out = await kinesis.send(
        new PutRecordsCommand({ StreamName: 'orders', Records: ids.map((probe, i) => ({ PartitionKey: `probe-${i}`, Data: Buffer.from(JSON.stringify({ probe })) })) }),
      );
      expect(out.FailedRecordCount).toBe(0);
    } finally {
      kinesis.destroy();
    }
    return ids;
  }

  async function query<T>(d: Dev, sql: string): Promise<T[]> {
    const res = await fetch(`${d.env.FLUX_QUERY_URL}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${d.env.FLUX_API_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sql }),
    });
    const body = (await res.json()) as { rows?: T[] };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.rows as T[];
  }

  const probes = (d: Dev) =>
    query<{ probe: string; n: number; archived: number }>(
      d,
      `SELECT payload->>'probe' AS probe, count(*)::INT AS n, count(*) FILTER (WHERE source = 'archive')::INT AS archived
       FROM orders WHERE payload->>'probe' IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );

  /** Waits until every probe is in the archive, then checks that the query returns each exactly once. */
  async function expectArchivedOnce(d: Dev, ids: string[]): Promise<void> {
    const expected = [...ids].sort().map((probe) => ({ probe, n: 1, archived: 1 }));
    await vi.waitFor(async () => expect(await probes(d)).toEqual(expected), { timeout: 60_000, interval: 1000 });
  }

  async function stop(d: Dev, how: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const tree = descendants(d.child.pid as number);
    // SIGTERM to fluxcap alone, as a service manager would; SIGKILL to its whole process group, as a crash would.
    if (how === 'SIGTERM') d.child.kill('SIGTERM');
    else process.kill(-(d.child.pid as number), 'SIGKILL');
    await vi.waitFor(() => expect(d.child.exitCode ?? d.child.signalCode).not.toBeNull(), { timeout: 60_000, interval: 100 });
    // The emulators (process groups of their own) follow fluxcap when its IPC channels close.
    await vi.waitFor(() => expect(tree.filter(isAlive)).toEqual([]), { timeout: 30_000, interval: 200 });
  }

  it('keeps the stream: after SIGTERM and after kill -9 of the process group a query returns every record exactly once', async () => {
    dev = await startDev();
    const firstPut = new Date(Date.now() - 1000);
    const first = await produce(dev, 'a', 20);
    await expectArchivedOnce(dev, first);
    await stop(dev, 'SIGTERM');
    // The SQS emulator keeps no messages across a restart: an announcement the catalog had not received when the stack
    // stopped is gone. Take the objects since the first records out of the catalog, as lost announcements leave it.
    const pg = new Client({ connectionString: database.url });
    await pg.connect();
    try {
      const { rowCount } = await pg.query(`DELETE FROM catalog_object WHERE stream = 'orders' AND last_arrival_time >= $1`, [firstPut]);
      expect(rowCount).toBeGreaterThan(0);
    } finally {
      await pg.end();
    }

    dev = await startDev();
    // Records put after the restart: read from the live tail at once, then archived after the first run's checkpoint.
    const second = await produce(dev, 'b', 20);
    expect((await probes(dev)).map((r) => r.probe)).toEqual([...first, ...second].sort());
    await expectArchivedOnce(dev, [...first, ...second]);
    await stop(dev, 'SIGKILL');

    dev = await startDev();
    const demoCount = async (d: Dev) => (await query<{ n: number }>(d, `SELECT count(*)::INT AS n FROM orders WHERE payload->>'probe' IS NULL`))[0].n;
    const demoBefore = await demoCount(dev);
    const third = await produce(dev, 'c', 20);
    await expectArchivedOnce(dev, [...first, ...second, ...third]);

    // The demo producer (on by default) kept writing through the restarts, its records each once and its order ids
    // numbered on from the previous run's instead of starting again at order-00001.
    const [demo] = await query<{ records: number; ids: number; created: number; orders: number }>(
      dev,
      `SELECT count(*)::INT AS records, count(DISTINCT payload->>'id')::INT AS ids,
              count(*) FILTER (WHERE payload->>'type' = 'order.created')::INT AS created,
              count(DISTINCT payload->>'order_id') FILTER (WHERE payload->>'type' = 'order.created')::INT AS orders
       FROM orders WHERE payload->>'probe' IS NULL`,
    );
    expect(demo.records).toBeGreaterThan(demoBefore);
    expect(demo).toEqual({ records: demo.records, ids: demo.records, created: demo.created, orders: demo.created });
    await stop(dev, 'SIGTERM');
  }, 900_000);
});
