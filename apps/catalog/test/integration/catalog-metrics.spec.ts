import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from '@flux-capacitor/persistence';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, registerArchiveObjects, testEnvironment, uniqueName, writeSyntheticArchive, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { CatalogModule } from '../../src/catalog/catalog.module';

/**
 * A TCP proxy in front of Postgres that can refuse (close the port, drop every connection) or hang (accept and
 * forward nothing): the catalog's database "down" without touching the shared server.
 */
async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'hang' = 'forward';
  const listen = (port = 0) =>
    new Promise<Server>((resolve) => {
      const server = createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        if (mode === 'hang') return;
        const upstream = connect(target.port, target.host);
        sockets.add(upstream);
        upstream.on('close', () => sockets.delete(upstream));
        upstream.on('error', () => client.destroy());
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  let server: Server | null = await listen();
  const port = (server.address() as AddressInfo).port;
  const dropAll = () => sockets.forEach((s) => s.destroy());
  return {
    port,
    async refuse() {
      dropAll();
      await new Promise((resolve) => server?.close(resolve));
      server = null;
    },
    async hang() {
      dropAll();
      mode = 'hang';
      server ??= await listen(port);
    },
    async restore() {
      dropAll();
      mode = 'forward';
      server ??= await listen(port);
    },
    async close() {
      dropAll();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    },
  };
}

let db: TestDatabase;
let app: INestApplication;
let base: string;
let root: string;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
const orders = uniqueName('orders');

const scrape = async () => {
  const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
};
const corruptGauge = () => new RegExp(`^flux_catalog_corrupt_objects\\{stream="${orders}"[^}]*\\} 1$`, 'm');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cat-metrics-'));
  db = await createTestDatabase();
  const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: orders, shards: 1, recordsPerShardHour: 5, hours: 1, startMs: Date.parse('2026-11-30T10:00:00Z') });
  await registerArchiveObjects(db.url, objects);
  const ds = await createDataSource(db.url).initialize();
  await ds.query(`UPDATE catalog_object SET corrupt_reason = 'truncated', corrupt_at = now() WHERE stream = $1`, [orders]);
  await ds.destroy();

  const url = new URL(db.url);
  proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  url.host = `127.0.0.1:${proxy.port}`;
  const env = testEnvironment({ DATABASE_URL: url.toString(), FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}` });
  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: [], env }), CatalogModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await proxy?.restore();
  await app?.close();
  await proxy?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('catalog /metrics through a database outage', () => {
  it('counts corrupt objects while Postgres answers', async () => {
    const { status, text } = await scrape();
    expect(status).toBe(200);
    expect(text).toMatch(corruptGauge());
  });

  it('answers 200 with every metric and the last corrupt count while Postgres refuses connections', async () => {
    await proxy.refuse();
    const { status, text } = await scrape();
    expect(status).toBe(200);
    expect(text).toMatch(corruptGauge());
    expect(text).toMatch(/^process_cpu_user_seconds_total\{/m);
  });

  it('answers 200 with the last corrupt count while Postgres hangs, and counts again once it is back', async () => {
    await proxy.hang();
    const { status, text } = await scrape();
    expect(status).toBe(200);
    expect(text).toMatch(corruptGauge());
    expect(text).toMatch(/^process_cpu_user_seconds_total\{/m);

    await proxy.restore();
    const ds = await createDataSource(db.url).initialize();
    await ds.query(`UPDATE catalog_object SET corrupt_reason = NULL, corrupt_at = NULL WHERE stream = $1`, [orders]);
    await ds.destroy();
    await vi.waitFor(async () => expect((await scrape()).text).not.toMatch(/^flux_catalog_corrupt_objects\{/m), { timeout: 15_000, interval: 250 });
  });
});
