import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { ArchiveObjectInspector, CatalogIngest, CatalogReader, CatalogWriter, createMetastores, HourCompactor, type CompactionReport } from '@flux-capacitor/archive-catalog';
import type { FluxConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import type { DataSource } from 'typeorm';

export interface CompactRun {
  report: CompactionReport;
  /** objects retired longer than the grace whose files this run deleted */
  retiredDeleted: number;
  /** with dryRun: the groups a pass would rewrite, and nothing done */
  plan?: { dt: string; hour: number; objects: number; outputs: number; bytes: number }[];
}

/**
 * One compaction pass over a stream, embedded (`fluxcap catalog compact`): what the catalog service runs every
 * interval, now, optionally with another settle time.
 */
export async function compactStream(config: FluxConfig, stream: string, options: { settleMs?: number; dryRun?: boolean } = {}): Promise<CompactRun> {
  const ds = await createDataSource(config.database).initialize();
  const s3 = createS3Client(config.aws);
  try {
    const reader = new CatalogReader(ds);
    const store = createArchiveStore(config.archive, s3);
    const compactor = new HourCompactor({
      reader,
      writer: new CatalogWriter(ds),
      store,
      config: { ...config.catalog.compaction, settleMs: options.settleMs ?? config.catalog.compaction.settleMs },
    });
    if (options.dryRun) {
      const plan = (await compactor.plan(stream)).map((h) => ({
        dt: h.dt,
        hour: h.hour,
        objects: h.groups.flat().length,
        outputs: h.groups.length,
        bytes: h.groups.flat().reduce((n, c) => n + c.bytes, 0),
      }));
      const report: CompactionReport = { stream, hours: 0, replaced: 0, written: 0, records: 0, duplicatesDropped: 0, bytesBefore: 0, bytesAfter: 0, conflicts: 0, failed: 0 };
      return { report, retiredDeleted: 0, plan };
    }
    // a compaction killed before its clean-up (this command's, or the catalog service's on this machine) left these
    await compactor.sweepWorkFolders(6 * 3_600_000);
    const report = await compactor.compactStream(stream);
    // moved partition locations reach Hive and Glue now, not with the stream's next archived object
    if (report.written > 0) await syncMetastores(config, ds, reader, store, stream);
    return { report, retiredDeleted: await compactor.deleteRetired() };
  } finally {
    s3.destroy();
    await ds.destroy();
  }
}

/** The catalog's metastore sync, as the catalog service runs it, for the partitions a compaction moved. */
async function syncMetastores(config: FluxConfig, ds: DataSource, reader: CatalogReader, store: ArchiveStore, stream: string): Promise<void> {
  const inspector = await ArchiveObjectInspector.create();
  try {
    const ingest = new CatalogIngest({
      writer: new CatalogWriter(ds),
      reader,
      store,
      inspector,
      metastores: createMetastores(config.catalog, config.aws),
      strictMetastores: false,
      sampleRecords: config.catalog.schemaSampleRecords,
      publishPartitionAdded: async () => undefined,
    });
    await ingest.syncMetastores(stream);
  } finally {
    inspector.close();
  }
}
