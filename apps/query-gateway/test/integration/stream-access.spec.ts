import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createStream, createTestDatabase, putInOrder, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { QueryModule } from '../../src/query/query.module';

const ALL_TOKEN = 'all-streams-token-0123456789';
const ORDERS_TOKEN = 'orders-only-token-0123456789';

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
const orders = uniqueName('orders');
const payments = uniqueName('payments');

async function post(path: string, sql: string, token: string, engine?: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql, ...(engine ? { engine } : {}) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-gw-access-'));
  db = await createTestDatabase();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL_TOKEN}:query,${ORDERS_TOKEN}:query@${orders}`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  for (const [stream, n] of [[orders, 3], [payments, 2]] as const) {
    await createStream(kinesis, stream, 1);
    await putInOrder(kinesis, stream, Array.from({ length: n }, (_, i) => ({ key: `k${i}`, data: JSON.stringify({ i }) })));
  }
  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  for (const stream of [orders, payments]) await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('query gateway: per-stream access', () => {
  it('runs a query over the stream a limited token holds, also through a CTE', async () => {
    const direct = await post('/v1/query', `SELECT count(*) AS n FROM "${orders}"`, ORDERS_TOKEN);
    expect(direct.status).toBe(200);
    expect(direct.body.rows).toEqual([{ n: 3 }]);
    const cte = await post('/v1/query', `WITH recent AS (SELECT * FROM "${orders}") SELECT count(*) AS n FROM recent`, ORDERS_TOKEN);
    expect(cte.status).toBe(200);
    expect(cte.body.rows).toEqual([{ n: 3 }]);
  });

  it('answers 403 naming the stream a limited token lacks, synchronously and on submit, before anything runs', async () => {
    for (const path of ['/v1/query', '/v1/queries']) {
      const res = await post(path, `SELECT count(*) FROM "${payments}"`, ORDERS_TOKEN);
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: payments } });
      expect(String(res.body.detail)).toContain(payments);
      expect(res.body.id).toBeUndefined();
    }
  });

  it('answers 403 naming the stream when it hides in a join or a subquery of a granted one', async () => {
    const join = await post('/v1/query', `SELECT o.data FROM "${orders}" o JOIN "${payments}" p ON o.partition_key = p.partition_key`, ORDERS_TOKEN);
    expect(join.status).toBe(403);
    expect(join.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: payments } });
    const sub = await post('/v1/query', `SELECT count(*) FROM "${orders}" WHERE partition_key IN (SELECT partition_key FROM "${payments}")`, ORDERS_TOKEN);
    expect(sub.status).toBe(403);
  });

  it('answers 403 for any table outside the grant, existing or not, so a limited token cannot probe which streams exist', async () => {
    const missing = `${payments}-nosuch`;
    const res = await post('/v1/query', `SELECT count(*) FROM "${missing}"`, ORDERS_TOKEN);
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: missing } });
    // A CTE of the stream's name clears it only where the CTE is in scope.
    const shadow = await post('/v1/query', `SELECT count(*) FROM (WITH "${payments}" AS (SELECT 1) SELECT * FROM "${payments}") a, "${payments}" b`, ORDERS_TOKEN);
    expect(shadow.status).toBe(403);
    expect(shadow.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: payments } });
  });

  it('keeps a limited token on DuckDB, whose names the check can see', async () => {
    const res = await post('/v1/queries', `SELECT 1 FROM "${orders}"`, ORDERS_TOKEN, 'drill');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'ENGINE_FORBIDDEN' });
  });

  it('still answers 400 for invalid SQL from a limited token', async () => {
    const res = await post('/v1/query', `DELETE FROM "${payments}"`, ORDERS_TOKEN);
    expect(res.status).toBe(400);
  });

  it('lets an unrestricted token read every stream', async () => {
    const res = await post('/v1/query', `SELECT (SELECT count(*) FROM "${orders}") AS o, (SELECT count(*) FROM "${payments}") AS p`, ALL_TOKEN);
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([{ o: 3, p: 2 }]);
  });
});
