import { createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { ArchiveObjectInspector, CatalogIngest, CatalogReader, CatalogWriter, createMetastores, rebuildCatalog } from '@flux-capacitor/archive-catalog';
import type { FluxConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';

type RebuildReport = Awaited<ReturnType<typeof rebuildCatalog>>;

/**
 * Rebuilds the catalog of each stream from the archive (`fluxcap catalog rebuild`, and `fluxcap dev` at start-up, where
 * the SQS emulator forgets the announcements it had not delivered when the stack stopped). Idempotent.
 */
export async function rebuildStreamCatalogs(config: FluxConfig, streams: string[], onStart?: (stream: string) => void): Promise<RebuildReport[]> {
  const ds = await createDataSource(config.database).initialize();
  const s3 = createS3Client(config.aws);
  const inspector = await ArchiveObjectInspector.create();
  try {
    const reader = new CatalogReader(ds);
    const writer = new CatalogWriter(ds);
    const store = createArchiveStore(config.archive, s3);
    const metastores = createMetastores(config.catalog, config.aws);
    const ingest = new CatalogIngest({
      writer,
      reader,
      store,
      inspector,
      metastores,
      strictMetastores: false,
      sampleRecords: config.catalog.schemaSampleRecords,
      // A rebuild restores derived state; consumers of catalog.partition.added are not re-notified.
      publishPartitionAdded: async () => undefined,
    });
    const reports: RebuildReport[] = [];
    for (const stream of streams) {
      onStart?.(stream);
      reports.push(await rebuildCatalog(stream, { writer, reader, store, inspector, sampleRecords: config.catalog.schemaSampleRecords, ingest }));
    }
    return reports;
  } finally {
    inspector.close();
    s3.destroy();
    await ds.destroy();
  }
}
