import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, registerArchiveObjects, testEnvironment, writeSyntheticArchive, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { QueryModule } from '../../src/query/query.module';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const TOKEN = 'cli-query-token-0123456789abcdef';

let db: TestDatabase;
let root: string;
let env: Record<string, string>;
let app: INestApplication;
let gatewayUrl: string;

function fluxcap(extraEnv: Record<string, string>, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cli-query-'));
  db = await createTestDatabase();
  const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: 'orders', shards: 2, recordsPerShardHour: 25, hours: 2, startMs: Date.UTC(2026, 0, 1) });
  await registerArchiveObjects(db.url, objects);
  env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:query`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
  });
  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env: { ...env, FLUX_QUERY_WORK_DIR: join(root, 'gateway-work') } }), QueryModule],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  gatewayUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

const SQL = `SELECT payload->>'type' AS type, count(*) AS n FROM "orders" GROUP BY 1 ORDER BY 1`;
const EXPECTED = ['t0', 't1', 't2', 't3', 't4'].map((type) => ({ type, n: 20 }));

describe('fluxcap query', () => {
  it('runs embedded when FLUX_QUERY_URL is not set, printing JSON', async () => {
    const run = await fluxcap({}, ['query', SQL, '--format', 'json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(EXPECTED);
  }, 120_000);

  it('goes through the gateway when FLUX_QUERY_URL is set, sending FLUX_API_TOKEN', async () => {
    const run = await fluxcap({ FLUX_QUERY_URL: gatewayUrl, FLUX_API_TOKEN: TOKEN }, ['query', SQL, '--format', 'ndjson']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(EXPECTED);
  }, 120_000);

  it('prints a table by default and CSV on request, through the gateway', async () => {
    const table = await fluxcap({ FLUX_QUERY_URL: gatewayUrl, FLUX_API_TOKEN: TOKEN }, ['query', SQL]);
    expect(table.stdout.split('\n')[0]).toMatch(/^type\s+n$/);
    const csv = await fluxcap({ FLUX_QUERY_URL: gatewayUrl, FLUX_API_TOKEN: TOKEN }, ['query', SQL, '--format', 'csv']);
    expect(csv.stdout.split('\r\n').slice(0, 2)).toEqual(['type,n', 't0,20']);
  }, 120_000);

  it('lists your recent queries on the gateway with `fluxcap query list`', async () => {
    const gateway = { FLUX_QUERY_URL: gatewayUrl, FLUX_API_TOKEN: TOKEN };
    expect((await fluxcap(gateway, ['query', 'SELECT 41 + 1 AS answer'])).status).toBe(0);
    const run = await fluxcap(gateway, ['--json', 'query', 'list', '--limit', '3']);
    expect(run.status).toBe(0);
    const items = JSON.parse(run.stdout) as { sql: string; state: string; rowCount: number }[];
    expect(items.length).toBeLessThanOrEqual(3);
    expect(items[0]).toMatchObject({ sql: 'SELECT 41 + 1 AS answer', state: 'succeeded', rowCount: 1 });
    const table = await fluxcap(gateway, ['query', 'list']);
    expect(table.stdout.split('\n')[0]).toMatch(/^id\s+state\s+submittedAt\s+durationMs\s+rowCount\s+bytesScanned/);
    const embedded = await fluxcap({}, ['query', 'list']);
    expect(embedded.status).not.toBe(0);
    expect(embedded.stderr).toMatch(/needs the gateway: set FLUX_QUERY_URL/);
  }, 120_000);

  it('fails with the gateway saying 401 and why when no token is sent', async () => {
    const run = await fluxcap({ FLUX_QUERY_URL: gatewayUrl }, ['query', SQL]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/HTTP 401: missing bearer token/);
  }, 120_000);

  it("prints the gateway's syntax error (the problem's detail) with a caret at its details.position", async () => {
    const run = await fluxcap({ FLUX_QUERY_URL: gatewayUrl, FLUX_API_TOKEN: TOKEN }, ['query', 'SELECT * FROM orders WHER 1']);
    expect(run.status).not.toBe(0);
    const lines = run.stderr.split('\n');
    const at = lines.findIndex((l) => l.includes('SELECT * FROM orders WHER 1'));
    expect(lines[at + 1].indexOf('^')).toBe(lines[at].indexOf('1'));
    expect(lines[at + 2]).toMatch(/query gateway: HTTP 400: .*syntax error at or near "1"/);
  }, 120_000);

  it('prints a syntax error with a caret under the position DuckDB reported', async () => {
    const run = await fluxcap({}, ['query', 'SELECT * FROM orders WHER 1']);
    expect(run.status).not.toBe(0);
    const lines = run.stderr.split('\n');
    const at = lines.findIndex((l) => l.includes('SELECT * FROM orders WHER 1'));
    expect(lines[at + 1].indexOf('^')).toBe(lines[at].indexOf('1'));
    expect(lines[at + 2]).toMatch(/syntax error at or near "1"/);
  }, 120_000);
});
