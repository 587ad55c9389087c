import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import {
  ArchiveObjectInspector,
  CatalogIngest,
  CatalogReader,
  CatalogWriter,
  DrillViewSync,
  GlueSync,
  HiveMetastoreSync,
  type MetastoreSync,
} from '@flux-capacitor/catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const ARCHIVE_STORE = Symbol.for('flux-capacitor.catalog.archive-store');
export const METASTORES = Symbol.for('flux-capacitor.catalog.metastores');

/** The metastores enabled by configuration, in the order they are synced. */
export function metastoresFor(config: FluxConfig): MetastoreSync[] {
  const out: MetastoreSync[] = [];
  const { hive, glue, drill } = config.catalog;
  if (hive) out.push(new HiveMetastoreSync(hive.host, hive.port, hive.database));
  if (glue) {
    const client = new GlueClient({ region: config.aws.region, endpoint: glue.endpoint });
    out.push(new GlueSync(client, glue.database, glue.catalogId));
  }
  if (drill) out.push(new DrillViewSync(drill.url, drill.viewSchema, drill.archiveSchema));
  return out;
}

export const catalogProviders: Provider[] = [
  { provide: CatalogReader, inject: [DataSource], useFactory: (ds: DataSource) => new CatalogReader(ds) },
  { provide: CatalogWriter, inject: [DataSource], useFactory: (ds: DataSource) => new CatalogWriter(ds) },
  { provide: ArchiveObjectInspector, useFactory: () => ArchiveObjectInspector.create() },
  {
    provide: ARCHIVE_STORE,
    inject: [FLUX_CONFIG, S3Client],
    useFactory: (config: FluxConfig, s3: S3Client): ArchiveStore => createArchiveStore(config.archive, s3),
  },
  { provide: METASTORES, inject: [FLUX_CONFIG], useFactory: (config: FluxConfig) => metastoresFor(config) },
  {
    provide: CatalogIngest,
    inject: [FLUX_CONFIG, CatalogWriter, CatalogReader, ARCHIVE_STORE, ArchiveObjectInspector, METASTORES, SqsPublisher],
    useFactory: (
      config: FluxConfig,
      writer: CatalogWriter,
      reader: CatalogReader,
      store: ArchiveStore,
      inspector: ArchiveObjectInspector,
      metastores: MetastoreSync[],
      publisher: SqsPublisher,
    ) =>
      new CatalogIngest({
        writer,
        reader,
        store,
        inspector,
        metastores,
        strictMetastores: config.catalog.metastoreStrict,
        sampleRecords: config.catalog.schemaSampleRecords,
        publishPartitionAdded: async (payload, correlationId) => {
          await publisher.publish('catalog.partition.added', payload, { correlationId });
        },
      }),
  },
];
