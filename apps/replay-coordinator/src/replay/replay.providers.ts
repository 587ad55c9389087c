import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { EmfWriter } from '@flux-capacitor/aws';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { createQueryService, QueryService } from '@flux-capacitor/query-engine';
import { ReplayPlanner, ReplayRepository, ReplayService, ReplayWorker } from '@flux-capacitor/replay';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { Logger, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';

export const ARCHIVE_STORE = Symbol.for('flux-capacitor.replay.archive-store');

export const replayProviders: Provider[] = [
  {
    provide: QueryService,
    inject: [FLUX_CONFIG, DataSource, ARCHIVE_STORE, KinesisClient],
    // The same engine as the query gateway (stream tables, sandbox), with its own work folder: an engine clears
    // the scratch folders it finds at start, which must never be a running gateway's.
    useFactory: (config: FluxConfig, ds: DataSource, archive: ArchiveStore, kinesis: KinesisClient) =>
      createQueryService({ ...config.query, workDir: join(config.replay.workDir, 'engine'), live: { ...config.query.live, enabled: true } }, { catalog: new CatalogReader(ds), archive, kinesis }),
  },
  { provide: ReplayRepository, inject: [DataSource], useFactory: (ds: DataSource) => new ReplayRepository(ds) },
  { provide: ARCHIVE_STORE, inject: [FLUX_CONFIG, S3Client], useFactory: (config: FluxConfig, s3: S3Client): ArchiveStore => createArchiveStore(config.archive, s3) },
  {
    provide: ReplayPlanner,
    inject: [FLUX_CONFIG, QueryService],
    useFactory: (config: FluxConfig, queries: QueryService) =>
      new ReplayPlanner(queries, { workDir: config.replay.workDir, memoryLimit: config.replay.memoryLimit, live: config.replay.live }),
  },
  {
    provide: ReplayService,
    inject: [FLUX_CONFIG, ReplayRepository, ReplayPlanner, QueryService, KinesisClient, SqsPublisher],
    useFactory: (config: FluxConfig, replays: ReplayRepository, planner: ReplayPlanner, queries: QueryService, kinesis: KinesisClient, publisher: SqsPublisher) => {
      const logger = new Logger('ReplayService');
      return new ReplayService({
        replays,
        planner,
        queries,
        kinesis,
        publisher,
        allowedTargets: config.replay.allowedTargets,
        log: (msg, fields) => logger.log({ ...fields, msg }),
      });
    },
  },
  {
    provide: ReplayWorker,
    inject: [FLUX_CONFIG, ReplayRepository, ReplayPlanner, KinesisClient, ARCHIVE_STORE],
    useFactory: (config: FluxConfig, replays: ReplayRepository, planner: ReplayPlanner, kinesis: KinesisClient, store: ArchiveStore) =>
      new ReplayWorker({
        owner: `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
        replays,
        planner,
        kinesis,
        store,
        settings: {
          workDir: config.replay.workDir,
          leaseMs: config.replay.leaseMs,
          pollMs: config.replay.pollMs,
          maxConcurrent: config.replay.maxConcurrent,
          maxInFlight: config.replay.maxInFlight,
          reserveShare: config.replay.reserveShare,
          shardRecordsPerSecond: config.replay.shardRecordsPerSecond,
          shardBytesPerSecond: config.replay.shardBytesPerSecond,
        },
        logger: new Logger('ReplayWorker'),
        emf: new EmfWriter(config.metrics.emf, { Service: 'replay-coordinator' }),
      }),
  },
];
