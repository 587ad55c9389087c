import { readFile, rm, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ParquetEngine, createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { ArchiveObjectCorruptError, ArchiveObjectInspector, CatalogIngest, CatalogReader, CatalogWriter, rebuildCatalog } from '@flux-capacitor/archive-catalog';
import { createS3Client } from '@flux-capacitor/aws';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, records, testConfig, uniqueName, writeArchiveObject, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';

describe('catalog: corrupt or truncated archive objects (Postgres + local S3)', () => {
  const bucket = uniqueName('flux-cat-corrupt');
  const config = testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive` });
  const s3 = createS3Client(config.aws);
  let db: TestDatabase;
  let ds: DataSource;
  let store: ArchiveStore;
  let engine: ParquetEngine;
  let inspector: ArchiveObjectInspector;
  let reader: CatalogReader;
  let writer: CatalogWriter;
  let ingest: CatalogIngest;

  /** Archives `n` records of `stream` at `iso`, then replaces the object in the store with `damage` of its bytes. */
  async function archived(stream: string, sequence: bigint, iso: string, damage?: (b: Buffer) => Buffer): Promise<ArchiveObjectWritten> {
    const msg = await writeArchiveObject(store, engine, records(stream, 'shardId-000000000000', sequence, iso, [{ id: 1 }, { id: 2 }]));
    if (damage) {
      const dir = await mkdtemp(join(tmpdir(), 'flux-corrupt-'));
      const key = store.keyOf(msg.objectUri)!;
      const path = join(dir, 'o.parquet');
      await store.getToFile(key, path);
      await writeFile(path, damage(await readFile(path)));
      await store.put(key, path);
      await rm(dir, { recursive: true, force: true });
    }
    return msg;
  }
  const truncate = (b: Buffer) => b.subarray(0, Math.floor(b.length / 2));

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = createArchiveStore(config.archive, s3);
    engine = await ParquetEngine.create({ threads: 1 });
    inspector = await ArchiveObjectInspector.create();
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
    reader = new CatalogReader(ds);
    writer = new CatalogWriter(ds);
    ingest = new CatalogIngest({ writer, reader, store, inspector, metastores: [], strictMetastores: false, sampleRecords: 100, publishPartitionAdded: async () => undefined });
  });
  afterAll(async () => {
    engine?.close();
    inspector?.close();
    await ds?.destroy();
    await db?.drop();
    s3.destroy();
  });

  it('marks a truncated object corrupt, names it with the reason, and lets the announcement succeed once', async () => {
    const good = await archived('orders', 100n, '2026-11-25T10:00:00.000Z');
    const bad = await archived('orders', 200n, '2026-11-25T10:30:00.000Z', truncate);
    await ingest.objectWritten(good);
    const outcome = await ingest.objectWritten(bad);
    expect(outcome).toMatchObject({ objectAdded: true, corrupt: true, schemaVersion: null });

    const corrupt = await reader.listCorruptObjects('orders');
    expect(corrupt).toEqual([{ uri: bad.objectUri, stream: 'orders', reason: expect.stringMatching(/magic bytes|too small/), detectedAt: expect.any(Date) }]);
    expect(corrupt[0].reason).toContain(bad.objectUri);
    expect(await reader.getStream('orders')).toMatchObject({ objectCount: 2, corruptObjectCount: 1, schemaVersion: 1 });

    // The archiver announcing it again (a new message id) reads it again, keeps the mark and its first time, and does not fail.
    await expect(ingest.objectWritten(bad)).resolves.toMatchObject({ objectAdded: false, corrupt: true });
    expect(await reader.listCorruptObjects()).toEqual([{ ...corrupt[0], detectedAt: corrupt[0].detectedAt }]);
  });

  it('does not mark an object corrupt when reading it fails for want of memory: the message fails, a later read merges it', async () => {
    // ~6 MB of incompressible records: DuckDB limited to 1 MB cannot read the sample
    const bodies = Array.from({ length: 3000 }, (_, id) => ({ id, pad: randomBytes(1024).toString('hex') }));
    const big = await writeArchiveObject(store, engine, records('big', 'shardId-000000000000', 1n, '2026-11-25T13:00:00.000Z', bodies));
    const starved = await ArchiveObjectInspector.create({ memoryLimit: '1MB' });
    try {
      const starvedIngest = new CatalogIngest({ writer, reader, store, inspector: starved, metastores: [], strictMetastores: false, sampleRecords: 100, publishPartitionAdded: async () => undefined });
      const err = await starvedIngest.objectWritten(big).catch((e: unknown) => e);
      expect(err).not.toBeInstanceOf(ArchiveObjectCorruptError);
      expect(String((err as Error).message)).toMatch(/^Out of Memory Error/);
      expect(await reader.listCorruptObjects('big')).toEqual([]);
      expect(await writer.objectNeedsSchema(big.objectUri)).toBe(true);
    } finally {
      starved.close();
    }
    // the redelivered message, with memory to spare
    await expect(ingest.objectWritten(big)).resolves.toMatchObject({ corrupt: false, schemaVersion: 1 });
    expect(await writer.objectNeedsSchema(big.objectUri)).toBe(false);
  });

  it('clears the mark and merges the schema when a later read of the same object succeeds (ingest, then rebuild)', async () => {
    const good = await archived('healed', 600n, '2026-11-25T14:00:00.000Z');
    const key = store.keyOf(good.objectUri)!;
    const dir = await mkdtemp(join(tmpdir(), 'flux-healed-'));
    const original = join(dir, 'original.parquet');
    await store.getToFile(key, original);
    const restore = () => store.put(key, original);
    const damage = async () => {
      const path = join(dir, 'damaged.parquet');
      await writeFile(path, truncate(await readFile(original)));
      await store.put(key, path);
    };
    try {
      await damage();
      await expect(ingest.objectWritten(good)).resolves.toMatchObject({ corrupt: true, schemaVersion: null });
      expect(await reader.listCorruptObjects('healed')).toHaveLength(1);

      await restore();
      await expect(ingest.objectWritten(good)).resolves.toMatchObject({ corrupt: false, schemaVersion: 1 });
      expect(await reader.listCorruptObjects('healed')).toEqual([]);
      expect(await reader.getStream('healed')).toMatchObject({ corruptObjectCount: 0, schemaVersion: 1 });

      // marked again, then the rebuild reads it whole and clears it
      await damage();
      await writer.markObjectCorrupt(good.objectUri, 'found unreadable earlier');
      await restore();
      const report = await rebuildCatalog('healed', { store, reader, writer, inspector, sampleRecords: 100 });
      expect(report).toMatchObject({ listed: 1, kept: 1, corrupt: [] });
      expect(await reader.listCorruptObjects('healed')).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not mistake an object it cannot fetch for a corrupt one: that message fails and is retried', async () => {
    const gone = await archived('gone', 300n, '2026-11-25T11:00:00.000Z');
    await store.delete(store.keyOf(gone.objectUri)!);
    const err = await ingest.objectWritten(gone).catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ArchiveObjectCorruptError);
    expect(err).toMatchObject({ code: 'ARCHIVE_OBJECT_NOT_FOUND' });
    expect(await reader.listCorruptObjects('gone')).toEqual([]);
  });

  it('rebuild reports corrupt objects: catalogued ones are marked, unknown ones left out', async () => {
    await archived('rebuilt', 400n, '2026-11-25T12:00:00.000Z');
    const bad = await archived('rebuilt', 500n, '2026-11-25T12:30:00.000Z', (b) => Buffer.concat([b.subarray(0, b.length - 200), Buffer.alloc(192, 0x13), b.subarray(b.length - 8)]));
    const report = await rebuildCatalog('rebuilt', { store, reader, writer, inspector, sampleRecords: 100 });
    expect(report).toMatchObject({ listed: 2, added: 1, corrupt: [bad.objectUri] });
    expect((await reader.listObjects('rebuilt')).map((o) => o.uri)).not.toContain(bad.objectUri);
  });
});
