import { createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { CatalogReader, CatalogWriter, HourCompactor, type CompactionReport } from '@flux-capacitor/archive-catalog';
import type { FluxConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';

export interface CompactRun {
  report: CompactionReport;
  /** objects retired longer than the grace whose files this run deleted */
  retiredDeleted: number;
  /** with dryRun: the groups a pass would rewrite, and nothing done */
  plan?: { dt: string; hour: number; objects: number; bytes: number }[];
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
    const compactor = new HourCompactor({
      reader,
      writer: new CatalogWriter(ds),
      store: createArchiveStore(config.archive, s3),
      config: { ...config.catalog.compaction, settleMs: options.settleMs ?? config.catalog.compaction.settleMs },
    });
    if (options.dryRun) {
      const plan = (await compactor.plan(stream)).map((g) => ({ dt: g[0].dt, hour: g[0].hour, objects: g.length, bytes: g.reduce((n, c) => n + c.bytes, 0) }));
      const report: CompactionReport = { stream, hours: 0, replaced: 0, written: 0, records: 0, duplicatesDropped: 0, bytesBefore: 0, bytesAfter: 0, conflicts: 0 };
      return { report, retiredDeleted: 0, plan };
    }
    const report = await compactor.compactStream(stream);
    return { report, retiredDeleted: await compactor.deleteRetired() };
  } finally {
    s3.destroy();
    await ds.destroy();
  }
}
