import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, testEnvironment, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { QueryModule } from '../../src/query/query.module';
import { startTcpSwitch, type TcpSwitch } from '../support/tcp-switch';

const TOKEN = 'outage-query-token-0123456789abcdef';

describe('query gateway while the query state database is unreachable', () => {
  let db: TestDatabase;
  let pg: TcpSwitch;
  let app: INestApplication;
  let base: string;
  let root: string;

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    const direct = new URL(db.url);
    pg = await startTcpSwitch({ host: direct.hostname, port: Number(direct.port || 5432) });
    const proxied = new URL(db.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(pg.port);
    root = mkdtempSync(join(tmpdir(), 'flux-gw-outage-'));
    const env = testEnvironment({
      DATABASE_URL: proxied.toString(),
      FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
      FLUX_API_TOKENS: `${TOKEN}:query`,
      FLUX_QUERY_WORK_DIR: join(root, 'work'),
      FLUX_QUERY_LIVE: 'false',
      FLUX_QUERY_TIMEOUT_MS: '1500',
      // heartbeat every ~3.3 s; an outage shorter than the lease does not make the query look abandoned
      FLUX_QUERY_JOB_LEASE_MS: '10000',
    });
    const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });

  afterAll(async () => {
    await pg?.on();
    await app?.close();
    await pg?.close();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers submit, poll and history with 503 QUERY_STATE_UNAVAILABLE, and recovers once Postgres is back', async () => {
    const before = await api('POST', '/v1/queries', { sql: 'SELECT 1 AS one' });
    expect(before.status).toBe(202);
    const { id } = (await before.json()) as { id: string };
    await vi.waitFor(async () => expect(((await (await api('GET', `/v1/queries/${id}`)).json()) as { state: string }).state).toBe('succeeded'), { timeout: 10_000, interval: 100 });

    await pg.off();
    for (const [method, path, body] of [
      ['POST', '/v1/queries', { sql: 'SELECT 2 AS two' }],
      ['GET', `/v1/queries/${id}`, undefined],
      ['GET', `/v1/queries/${id}/results`, undefined],
      ['GET', '/v1/queries', undefined],
    ] as const) {
      const res = await api(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(503);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await res.json()).toMatchObject({ status: 503, code: 'QUERY_STATE_UNAVAILABLE', detail: expect.stringMatching(/cannot be reached/) });
    }

    await pg.on();
    await vi.waitFor(async () => expect((await api('GET', `/v1/queries/${id}/results`)).status).toBe(200), { timeout: 15_000, interval: 200 });
    // the query refused during the outage was never recorded nor left running
    const history = (await (await api('GET', '/v1/queries')).json()) as { items: { id: string; sql: string }[] };
    expect(history.items.map((i) => i.sql)).toEqual(['SELECT 1 AS one']);
  });

  it('records the outcome of a query that ended while Postgres was unreachable once it is back', async () => {
    const started = await api('POST', '/v1/queries', { sql: 'SELECT count(*) FROM range(100000000000)' });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    await pg.off();
    // the query times out (FLUX_QUERY_TIMEOUT_MS 1.5 s) while its outcome cannot be written
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await pg.on();
    await vi.waitFor(
      async () => expect(await (await api('GET', `/v1/queries/${id}`)).json()).toMatchObject({ state: 'failed', error: { code: 'QUERY_TIMEOUT' } }),
      { timeout: 15_000, interval: 200 },
    );
  });
});
