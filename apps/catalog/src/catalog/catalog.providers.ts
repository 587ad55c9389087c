import { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import {
  ArchiveObjectInspector,
  CatalogIngest,
  CatalogReader,
  CatalogWriter,
  createMetastores,
  HourCompactor,
  type MetastoreSync,
} from '@flux-capacitor/archive-catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const ARCHIVE_STORE = Symbol.for('flux-capacitor.catalog.archive-store');
export const METASTORES = Symbol.for('flux-capacitor.catalog.metastores');

export const catalogProviders: Provider[] = [
  { provide: CatalogReader, inject: [DataSource], useFactory: (ds: DataSource) => new CatalogReader(ds) },
  { provide: CatalogWriter, inject: [DataSource], useFactory: (ds: DataSource) => new CatalogWriter(ds) },
  { provide: ArchiveObjectInspector, useFactory: () => ArchiveObjectInspector.create() },
  {
    provide: ARCHIVE_STORE,
    inject: [FLUX_CONFIG, S3Client],
    useFactory: (config: FluxConfig, s3: S3Client): ArchiveStore => createArchiveStore(config.archive, s3),
  },
  {
    provide: HourCompactor,
    inject: [FLUX_CONFIG, CatalogReader, CatalogWriter, ARCHIVE_STORE],
    useFactory: (config: FluxConfig, reader: CatalogReader, writer: CatalogWriter, store: ArchiveStore) =>
      new HourCompactor({ reader, writer, store, config: config.catalog.compaction }),
  },
  { provide: METASTORES, inject: [FLUX_CONFIG], useFactory: (config: FluxConfig) => createMetastores(config.catalog, config.aws) },
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
