import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import {
  createStream,
  createTestDatabase,
  registerArchiveObjects,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeSyntheticArchive,
  type ServiceProcess,
  type TestDatabase,
} from '@flux-capacitor/testing';

/**
 * Per-stream access with real processes: the query gateway, the catalog and the replay coordinator started as
 * `fluxcap dev` starts them, from one FLUX_API_TOKENS holding an unrestricted token and one limited to the orders
 * team's streams, and the CLI sending the limited token.
 */

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const ALL_TOKEN = 'all-streams-token-0123456789';
const ORDERS_TOKEN = 'orders-team-token-0123456789';

let db: TestDatabase;
let root: string;
let kinesis: KinesisClient;
let gateway: ServiceProcess;
let catalog: ServiceProcess;
let coordinator: ServiceProcess;
const orders = uniqueName('orders');
const restore = uniqueName('orders-restore');
const payments = uniqueName('payments');

async function call(service: ServiceProcess, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function expectForbidden(res: { status: number; body: Record<string, unknown> }, stream: string) {
  expect(res.status).toBe(403);
  expect(res.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream } });
  expect(String(res.body.detail)).toContain(stream);
}

function fluxcap(env: Record<string, string>, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-access-e2e-'));
  mkdirSync(join(root, 'archive'));
  db = await createTestDatabase();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL_TOKEN}:query+replay,${ORDERS_TOKEN}:query+replay@${orders}+${restore}`,
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  // orders and payments are archived (catalogued) streams; the replay target is a Kinesis stream
  await createStream(kinesis, restore, 1);
  for (const stream of [orders, payments]) {
    await registerArchiveObjects(db.url, await writeSyntheticArchive({ directory: join(root, 'archive'), stream, shards: 1, recordsPerShardHour: 4, hours: 1, startMs: Date.UTC(2026, 10, 30, 10) }));
  }
  [gateway, catalog, coordinator] = await Promise.all([
    startServiceProcess('query-gateway', { ...env, FLUX_QUERY_WORK_DIR: join(root, 'gateway') }, 120_000),
    startServiceProcess('catalog', env, 120_000),
    startServiceProcess('replay-coordinator', { ...env, FLUX_QUERY_WORK_DIR: join(root, 'coordinator-query'), FLUX_REPLAY_WORK_DIR: join(root, 'replay') }, 120_000),
  ]);
}, 300_000);

afterAll(async () => {
  for (const service of [gateway, catalog, coordinator]) await service?.stop();
  await kinesis?.send(new DeleteStreamCommand({ StreamName: restore })).catch(() => undefined);
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('per-stream access (service processes)', () => {
  it('query gateway: 403 naming the stream a limited token lacks; its own stream and an unrestricted token work', async () => {
    expectForbidden(await call(gateway, 'POST', '/v1/query', ORDERS_TOKEN, { sql: `SELECT count(*) FROM "${payments}"` }), payments);
    expect((await call(gateway, 'POST', '/v1/query', ORDERS_TOKEN, { sql: `SELECT count(*) AS n FROM "${orders}"` })).body.rows).toEqual([{ n: 4 }]);
    expect((await call(gateway, 'POST', '/v1/query', ALL_TOKEN, { sql: `SELECT count(*) AS n FROM "${payments}"` })).body.rows).toEqual([{ n: 4 }]);
  });

  it('fluxcap query with a limited FLUX_API_TOKEN fails naming the stream', async () => {
    const run = await fluxcap({ FLUX_QUERY_URL: gateway.url, FLUX_API_TOKEN: ORDERS_TOKEN }, ['query', `SELECT * FROM "${payments}"`]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('HTTP 403');
    expect(run.stderr).toContain(payments);
  }, 120_000);

  it('catalog: lists only granted streams; 403 naming the stream for another stream', async () => {
    const listed = await call(catalog, 'GET', '/v1/streams', ORDERS_TOKEN);
    expect((listed.body.streams as { name: string }[]).map((s) => s.name)).toEqual([orders]);
    expectForbidden(await call(catalog, 'GET', `/v1/streams/${payments}/partitions`, ORDERS_TOKEN), payments);
    expect((await call(catalog, 'GET', `/v1/streams/${payments}/partitions`, ALL_TOKEN)).status).toBe(200);
  });

  it("replay coordinator: 403 naming the source or target a limited token lacks; lists only its replays; another team's is 404", async () => {
    expectForbidden(await call(coordinator, 'POST', '/v1/replays', ORDERS_TOKEN, { source: payments, target: restore, dryRun: true }), payments);
    expectForbidden(await call(coordinator, 'POST', '/v1/replays', ORDERS_TOKEN, { source: orders, target: payments, dryRun: true }), payments);
    const mine = await call(coordinator, 'POST', '/v1/replays', ORDERS_TOKEN, { source: orders, target: restore, dryRun: true });
    expect(mine.status).toBe(201);
    const theirs = await call(coordinator, 'POST', '/v1/replays', ALL_TOKEN, { source: payments, target: restore, dryRun: true });
    expect(theirs.status).toBe(201);
    const listed = await call(coordinator, 'GET', '/v1/replays', ORDERS_TOKEN);
    expect((listed.body.items as { id: string }[]).map((r) => r.id)).toEqual([mine.body.id]);
    // another team's replay is not found, as an unknown id would be: neither the id nor its streams leak
    const read = await call(coordinator, 'GET', `/v1/replays/${String(theirs.body.id)}`, ORDERS_TOKEN);
    expect(read).toMatchObject({ status: 404, body: { code: 'REPLAY_NOT_FOUND' } });
    expect(JSON.stringify(read.body)).not.toContain(payments);
  });
});
