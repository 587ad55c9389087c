import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createStream, createTestDatabase, putInOrder, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ReplayModule } from '../../src/replay/replay.module';

const ALL_TOKEN = 'all-streams-token-0123456789';
const ORDERS_TOKEN = 'orders-team-token-0123456789';

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
const orders = uniqueName('orders');
const restore = uniqueName('orders-restore');
const payments = uniqueName('payments');
/** a replay of payments, made with the unrestricted token */
let paymentsReplay: string;

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
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

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-replay-access-'));
  mkdirSync(join(root, 'archive'));
  db = await createTestDatabase();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_QUERY_WORK_DIR: join(root, 'query'),
    FLUX_REPLAY_WORK_DIR: join(root, 'replay'),
    FLUX_API_TOKENS: `${ALL_TOKEN}:replay,${ORDERS_TOKEN}:replay+query@${orders}+${restore}`,
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  for (const stream of [orders, restore, payments]) {
    await createStream(kinesis, stream, 1);
    await putInOrder(kinesis, stream, [{ key: 'k', data: '{"i":1}' }]);
  }
  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'replay-coordinator', dependencies: [], env }), ReplayModule],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  const created = await call('POST', '/v1/replays', ALL_TOKEN, { source: payments, target: payments, dryRun: true });
  expect(created.status).toBe(201);
  paymentsReplay = String(created.body.id);
});

afterAll(async () => {
  await app?.close();
  for (const stream of [orders, restore, payments]) await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('replay API: per-stream access', () => {
  it('answers 403 naming the source a limited token lacks, and writes nothing', async () => {
    expectForbidden(await call('POST', '/v1/replays', ORDERS_TOKEN, { source: payments, target: restore, dryRun: true }), payments);
    const all = await call('GET', '/v1/replays', ALL_TOKEN);
    expect((all.body.items as unknown[]).length).toBe(1);
  });

  it('answers 403 naming the target a limited token lacks, though it holds the source', async () => {
    expectForbidden(await call('POST', '/v1/replays', ORDERS_TOKEN, { source: orders, target: payments, dryRun: true }), payments);
  });

  it('still answers 400 for an invalid spec from a limited token', async () => {
    expect((await call('POST', '/v1/replays', ORDERS_TOKEN, { source: '/etc/passwd' })).status).toBe(400);
  });

  it('lets a limited token replay between its streams and lists only the replays it holds', async () => {
    const created = await call('POST', '/v1/replays', ORDERS_TOKEN, { source: orders, target: restore, dryRun: true });
    expect(created.status).toBe(201);
    const mine = await call('GET', '/v1/replays', ORDERS_TOKEN);
    expect((mine.body.items as { id: string }[]).map((r) => r.id)).toEqual([created.body.id]);
    const everything = await call('GET', '/v1/replays', ALL_TOKEN);
    expect((everything.body.items as { id: string }[]).map((r) => r.id).sort()).toEqual([created.body.id, paymentsReplay].sort());
    expect((await call('GET', `/v1/replays/${String(created.body.id)}`, ORDERS_TOKEN)).status).toBe(200);
  });

  it("answers another team's replay as an unknown id (404, no stream named): read, watermarks, audit, pause, resume and cancel", async () => {
    const unknown = randomUUID();
    const calls: [string, string][] = [
      ['GET', ''],
      ['GET', '/watermarks'],
      ['GET', '/audit'],
      ['POST', '/pause'],
      ['POST', '/resume'],
      ['DELETE', ''],
    ];
    for (const [method, path] of calls) {
      const theirs = await call(method, `/v1/replays/${paymentsReplay}${path}`, ORDERS_TOKEN);
      const none = await call(method, `/v1/replays/${unknown}${path}`, ORDERS_TOKEN);
      expect({ method, path, status: theirs.status, code: theirs.body.code }).toEqual({ method, path, status: 404, code: 'REPLAY_NOT_FOUND' });
      expect({ ...theirs.body, detail: String(theirs.body.detail).replace(paymentsReplay, unknown), instance: undefined }).toEqual({ ...none.body, instance: undefined });
      expect(JSON.stringify(theirs.body)).not.toContain(payments);
    }
    const audit = await call('GET', `/v1/replays/${paymentsReplay}/audit`, ALL_TOKEN);
    expect((audit.body.items as { action: string }[]).map((e) => e.action)).toEqual(['created']);
  });

  it('lets an unrestricted token read every replay', async () => {
    expect((await call('GET', `/v1/replays/${paymentsReplay}`, ALL_TOKEN)).status).toBe(200);
  });
});
