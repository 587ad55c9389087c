import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { createDataSource } from '@flux-capacitor/persistence';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, registerArchiveObjects, testEnvironment, uniqueName, writeSyntheticArchive, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { CatalogModule } from '../../src/catalog/catalog.module';

let db: TestDatabase;
let ds: DataSource;
let app: INestApplication | undefined;
let root: string;
const orders = uniqueName('orders');

async function startCatalog(settings: Record<string, string>): Promise<{ app: INestApplication; base: string }> {
  const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`, FLUX_CATALOG_COMPACT_TEMP_DIR: root, ...settings });
  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: [], env }), CatalogModule] }).compile();
  const started = moduleRef.createNestApplication({ logger: false });
  await started.listen(0, '127.0.0.1');
  return { app: started, base: (await started.getUrl()).replace('[::1]', '127.0.0.1') };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cat-compaction-'));
  db = await createTestDatabase();
  // two closed hours, each shard-hour in two objects
  const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: orders, shards: 2, recordsPerShardHour: 200, hours: 2, objectsPerShardHour: 2, layout: 2, startMs: Date.parse('2026-11-30T10:00:00Z') });
  await registerArchiveObjects(db.url, objects);
  ds = await createDataSource(db.url).initialize();
});

afterAll(async () => {
  await app?.close();
  await ds?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('catalog service: compaction of closed hours', () => {
  it('leaves the archive alone with FLUX_CATALOG_COMPACTION=false', async () => {
    const off = await startCatalog({ FLUX_CATALOG_COMPACTION: 'false', FLUX_CATALOG_COMPACT_INTERVAL_SECONDS: '10' });
    try {
      await new Promise((r) => setTimeout(r, 12_000));
      expect((await new CatalogReader(ds).listObjects(orders)).length).toBe(8);
    } finally {
      await off.app.close();
    }
  }, 30_000);

  it('compacts every closed hour one interval after start, and counts it in /metrics', async () => {
    const started = await startCatalog({ FLUX_CATALOG_COMPACT_INTERVAL_SECONDS: '10' });
    app = started.app;
    const reader = new CatalogReader(ds);
    const deadline = Date.now() + 60_000;
    let partitions = await reader.listPartitions(orders);
    while (partitions.some((p) => p.objectCount !== 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      partitions = await reader.listPartitions(orders);
    }
    expect(partitions.map((p) => [p.hour, p.objectCount, p.recordCount])).toEqual([
      [10, 1, 400],
      [11, 1, 400],
    ]);
    const metrics = await (await fetch(`${started.base}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^flux_catalog_compacted_objects_total\\{stream="${orders}",kind="written"[^}]*\\} 2$`, 'm'));
    expect(metrics).toMatch(new RegExp(`^flux_catalog_compacted_objects_total\\{stream="${orders}",kind="replaced"[^}]*\\} 8$`, 'm'));
  }, 90_000);
});
