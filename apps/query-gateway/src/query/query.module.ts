import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { createQueryJobs, createQueryService, QueryJobs, QueryService } from '@flux-capacitor/query-engine';
import { Inject, Logger, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueryController } from './query.controller';

/**
 * SQL over archived + live records: POST/GET/DELETE /v1/queries, POST /v1/query. Asynchronous queries are shared by
 * every gateway replica (QueryJobs: state in Postgres, results in the archive store).
 */
@Module({
  controllers: [QueryController],
  providers: [
    {
      provide: QueryService,
      inject: [FLUX_CONFIG, DataSource, S3Client, KinesisClient],
      useFactory: (config: FluxConfig, dataSource: DataSource, s3: S3Client, kinesis: KinesisClient) => {
        const logger = new Logger('QueryService');
        return createQueryService(config.query, {
          catalog: new CatalogReader(dataSource),
          archive: createArchiveStore(config.archive, s3),
          kinesis,
          log: (event, fields) => logger.log({ ...fields, msg: event }),
        });
      },
    },
    {
      provide: QueryJobs,
      inject: [FLUX_CONFIG, DataSource, S3Client, QueryService],
      useFactory: (config: FluxConfig, dataSource: DataSource, s3: S3Client, queries: QueryService) => {
        const logger = new Logger('QueryJobs');
        return createQueryJobs(config.query, {
          queries,
          dataSource,
          archive: createArchiveStore(config.archive, s3),
          log: (event, fields) => logger.log({ ...fields, msg: event }),
        });
      },
    },
  ],
  exports: [QueryService, QueryJobs],
})
export class QueryModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    @Inject(QueryService) private readonly queries: QueryService,
    @Inject(QueryJobs) private readonly jobs: QueryJobs,
  ) {}

  onModuleInit(): void {
    this.queries.start();
    this.jobs.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.jobs.close();
    this.queries.close();
  }
}
