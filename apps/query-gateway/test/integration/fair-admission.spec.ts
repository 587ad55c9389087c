import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, testEnvironment, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { QueryModule } from '../../src/query/query.module';

// Three teams' tokens; "abuser" sends queries that would run until the timeout.
const TOKENS = { abuser: 'abuser-token-0123456789abcdef', polite: 'polite-token-0123456789abcdef', third: 'third-token-0123456789abcdef' };
const HEAVY = 'SELECT count(*) AS n FROM range(100000000000)';

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
const started: { id: string; token: string }[] = [];

async function post(path: string, token: string, sql: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ sql }),
  });
}

/** Submits an unbounded query and remembers it, to cancel it at the end. */
async function submitHeavy(token: string): Promise<{ id: string; state: string }> {
  const res = await post('/v1/queries', token, HEAVY);
  expect(res.status).toBe(202);
  const body = (await res.json()) as { id: string; state: string };
  started.push({ id: body.id, token });
  return body;
}

async function stateOf(id: string, token: string): Promise<string> {
  const res = await fetch(`${base}/v1/queries/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { state: string }).state;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-fair-'));
  db = await createTestDatabase();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: Object.values(TOKENS).map((t) => `${t}:query`).join(','),
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    FLUX_QUERY_LIVE: 'false',
    FLUX_QUERY_THREADS: '1',
    FLUX_QUERY_MAX_CONCURRENT: '2',
    FLUX_QUERY_MAX_CONCURRENT_PER_TOKEN: '1',
    FLUX_QUERY_MAX_QUEUED: '2',
    FLUX_QUERY_MAX_QUEUED_PER_TOKEN: '1',
  });
  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('query gateway admission (fairness and back-pressure)', () => {
  it("runs another token's quick query while one token's two unbounded queries hold only its own slot", async () => {
    const first = await submitHeavy(TOKENS.abuser);
    const second = await submitHeavy(TOKENS.abuser);
    await vi.waitFor(async () => expect(await stateOf(first.id, TOKENS.abuser)).toBe('running'), { timeout: 10_000 });
    // the second waits for the abuser's own slot although the gateway has two
    expect(await stateOf(second.id, TOKENS.abuser)).toBe('queued');

    const quick = await post('/v1/query', TOKENS.polite, 'SELECT 42 AS answer');
    expect(quick.status).toBe(200);
    expect(((await quick.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
    // ... and the abuser's queries were still holding on meanwhile
    expect(await stateOf(first.id, TOKENS.abuser)).toBe('running');
    expect(await stateOf(second.id, TOKENS.abuser)).toBe('queued');
  }, 30_000);

  it("answers 429 with Retry-After when a token's share of the queue is full, and still admits other tokens", async () => {
    const refused = await post('/v1/queries', TOKENS.abuser, HEAVY);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const problem = (await refused.json()) as { code: string; detail: string; details: { retryAfterSeconds: number } };
    expect(problem).toMatchObject({ code: 'QUERY_QUEUE_FULL', details: { retryAfterSeconds: retryAfter } });
    expect(problem.detail).toMatch(/this token already has 1 queries waiting/);
    // the synchronous endpoint is held to the same bound
    expect((await post('/v1/query', TOKENS.abuser, 'SELECT 1')).status).toBe(429);

    // another token still runs at once on the free slot
    const polite = await submitHeavy(TOKENS.polite);
    await vi.waitFor(async () => expect(await stateOf(polite.id, TOKENS.polite)).toBe('running'), { timeout: 10_000 });
  }, 30_000);

  it('answers 429 with Retry-After, never 5xx, once the whole queue is full', async () => {
    // both slots are held (abuser, polite) and the abuser has one waiting: one more waiting query fills the queue of 2
    await submitHeavy(TOKENS.polite);
    const refused = await post('/v1/queries', TOKENS.third, HEAVY);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { detail: string }).detail).toMatch(/the gateway's query queue is full \(2 waiting\)/);
  }, 30_000);

  it('admits again once queries are cancelled', async () => {
    for (const { id, token } of started) {
      const res = await fetch(`${base}/v1/queries/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
    }
    for (const { id, token } of started) {
      await vi.waitFor(async () => expect(await stateOf(id, token)).toBe('cancelled'), { timeout: 10_000 });
    }
    const res = await post('/v1/query', TOKENS.third, 'SELECT 7 AS n');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([{ n: 7 }]);
  }, 30_000);
});
