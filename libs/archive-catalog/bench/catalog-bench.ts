/**
 * Measures the catalog's two heavy paths on this machine: schema inference over Parquet records read with DuckDB,
 * and `rebuildCatalog` of a file:// archive. Needs DATABASE_URL (a Postgres server to create a scratch database on).
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx node -r @swc-node/register libs/archive-catalog/bench/catalog-bench.ts [objects] [recordsPerObject]
 */
import 'reflect-metadata';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParquetEngine, archiveObjectKey, createArchiveStore, partitionOf } from '@flux-capacitor/archive';
import { ArchiveObjectInspector, CatalogReader, CatalogWriter, rebuildCatalog } from '@flux-capacitor/archive-catalog';
import { parseArchiveUri, type ArchiveLocation } from '@flux-capacitor/config';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import { createDataSource, migrate } from '@flux-capacitor/persistence';
import { Logger } from '@nestjs/common';
import { Client } from 'pg';

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const objects = Number(process.argv[2] ?? 100);
  const perObject = Number(process.argv[3] ?? 10_000);
  const adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) throw new Error('set DATABASE_URL');
  const dir = await mkdtemp(join(tmpdir(), 'flux-catalog-bench-'));
  const dbName = `flux_bench_${process.pid}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const url = u.toString();
  const engine = await ParquetEngine.create({ threads: 2 });
  const inspector = await ArchiveObjectInspector.create();
  try {
    await migrate(url);
    const store = createArchiveStore(parseArchiveUri(`file://${dir}`) as ArchiveLocation);
    const enc = new TextEncoder();
    const t0 = Date.parse('2026-11-25T00:00:00.000Z');
    let seq = 1_000_000n;
    for (let o = 0; o < objects; o++) {
      const start = t0 + o * 60_000;
      const rs: ArchiveRecord[] = Array.from({ length: perObject }, (_, i) => ({
        stream: 'bench',
        shardId: `shardId-00000000000${o % 4}`,
        sequenceNumber: String(seq++),
        subSequenceNumber: 0,
        partitionKey: `pk-${i % 97}`,
        explicitHashKey: null,
        arrivalTime: start + Math.floor((i * 60_000) / perObject),
        data: enc.encode(JSON.stringify({ id: i, user: { name: `u${i % 50}`, tier: i % 3 === 0 ? null : 'gold' }, amount: i * 0.25, tags: ['a', 'b'] })),
      }));
      const path = join(dir, 'tmp.parquet');
      await engine.write(rs, path);
      const key = archiveObjectKey({ stream: 'bench', shardId: rs[0].shardId, firstSequenceNumber: rs[0].sequenceNumber, lastSequenceNumber: rs.at(-1)!.sequenceNumber, ...partitionOf(rs[0].arrivalTime) });
      await store.put(key, path);
    }

    const firstKey = (await store.list('bench/')[Symbol.asyncIterator]().next()).value!.key as string;
    let t = performance.now();
    const facts = await inspector.inspect(store, firstKey, perObject);
    const inferMs = performance.now() - t;

    const ds = await createDataSource(url).initialize();
    try {
      t = performance.now();
      const report = await rebuildCatalog('bench', { writer: new CatalogWriter(ds), reader: new CatalogReader(ds), store, inspector, sampleRecords: 10_000 });
      const rebuildMs = performance.now() - t;
      process.stdout.write(
        JSON.stringify(
          {
            objects,
            recordsPerObject: perObject,
            inspectOneObjectMs: Math.round(inferMs),
            inferredFields: facts.schema?.fields.length,
            recordsPerSecondInference: Math.round(perObject / (inferMs / 1000)),
            rebuildMs: Math.round(rebuildMs),
            rebuildObjectsPerSecond: Math.round(objects / (rebuildMs / 1000)),
            report,
          },
          null,
          2,
        ) + '\n',
      );
    } finally {
      await ds.destroy();
    }
  } finally {
    engine.close();
    inspector.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
