import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, registerArchiveObjects, testEnvironment, uniqueName, writeSyntheticArchive, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CatalogModule } from '../../src/catalog/catalog.module';

const ALL_TOKEN = 'all-streams-token-0123456789';
const ORDERS_TOKEN = 'orders-only-token-0123456789';

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
const orders = uniqueName('orders');
const payments = uniqueName('payments');

const get = async (path: string, token: string) => {
  const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cat-access-'));
  db = await createTestDatabase();
  for (const stream of [orders, payments]) {
    const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream, shards: 1, recordsPerShardHour: 5, hours: 1, startMs: Date.parse('2026-11-30T10:00:00Z') });
    await registerArchiveObjects(db.url, objects);
  }
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL_TOKEN}:query,${ORDERS_TOKEN}:query@${orders}`,
  });
  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: [], env }), CatalogModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

const names = (body: Record<string, unknown>) => (body.streams as { name: string }[]).map((s) => s.name).sort();

describe('catalog read API: per-stream access', () => {
  it('lists only the streams a limited token holds, and every stream to an unrestricted one', async () => {
    expect(names((await get('/v1/streams', ORDERS_TOKEN)).body)).toEqual([orders]);
    expect(names((await get('/v1/streams', ALL_TOKEN)).body)).toEqual([orders, payments].sort());
  });

  it("serves a granted stream's partitions", async () => {
    const res = await get(`/v1/streams/${orders}/partitions`, ORDERS_TOKEN);
    expect(res.status).toBe(200);
    expect(res.body.partitions).toHaveLength(1);
  });

  it('answers 403 naming the stream for the partitions and schema of a stream the token lacks', async () => {
    for (const path of [`/v1/streams/${payments}/partitions`, `/v1/streams/${payments}/schema`]) {
      const res = await get(path, ORDERS_TOKEN);
      expect(res.status, path).toBe(403);
      expect(res.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream: payments } });
      expect(String(res.body.detail)).toContain(payments);
    }
  });

  it('answers 403, not 404, for a stream the catalog does not have, so a limited token cannot probe names', async () => {
    expect((await get('/v1/streams/no-such-stream/partitions', ORDERS_TOKEN)).status).toBe(403);
    expect((await get('/v1/streams/no-such-stream/partitions', ALL_TOKEN)).status).toBe(404);
  });

  it('lets an unrestricted token read any stream', async () => {
    const res = await get(`/v1/streams/${payments}/partitions`, ALL_TOKEN);
    expect(res.status).toBe(200);
  });
});
