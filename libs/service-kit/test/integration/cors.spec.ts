import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, startServiceProcess, testEnvironment, type ServiceProcess, type TestDatabase } from '@flux-capacitor/testing';

const TOKEN = 'cors-token-0123456789abcdef';
const CONSOLE = 'http://127.0.0.1:7103';

/** A browser's preflight before a cross-origin GET with a bearer token. */
const preflight = (url: string, origin: string) =>
  fetch(`${url}/v1/streams`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });

describe('FLUX_API_CORS_ORIGINS (a service process, as bootstrapped)', () => {
  let db: TestDatabase;
  let withCors: ServiceProcess;
  let without: ServiceProcess;
  const root = mkdtempSync(join(tmpdir(), 'flux-cors-'));

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_API_TOKENS: `${TOKEN}:query`, FLUX_ARCHIVE_URI: `file://${root}` });
    [withCors, without] = await Promise.all([startServiceProcess('catalog', { ...env, FLUX_API_CORS_ORIGINS: CONSOLE }), startServiceProcess('catalog', env)]);
  });

  afterAll(async () => {
    await Promise.all([withCors?.stop(), without?.stop()]);
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('lets a listed origin call with a bearer token: preflight allows GET/POST/DELETE and Authorization, answers carry the origin', async () => {
    const pre = await preflight(withCors.url, CONSOLE);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(CONSOLE);
    expect(pre.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toBe('authorization,content-type');
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const res = await fetch(`${withCors.url}/v1/streams`, { headers: { origin: CONSOLE, authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(CONSOLE);
  });

  it('gives another origin no CORS headers, so its pages cannot read answers', async () => {
    const pre = await preflight(withCors.url, 'http://evil.example');
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    const res = await fetch(`${withCors.url}/v1/streams`, { headers: { origin: 'http://evil.example', authorization: `Bearer ${TOKEN}` } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends no CORS headers at all when the setting is empty (the default)', async () => {
    const res = await fetch(`${without.url}/v1/streams`, { headers: { origin: CONSOLE, authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
