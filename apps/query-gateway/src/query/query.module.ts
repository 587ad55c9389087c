import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { createQueryService, QueryService } from '@flux-capacitor/query-engine';
import { Inject, Logger, Module, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueryController } from './query.controller';

/** SQL over archived + live records: POST/GET/DELETE /v1/queries, POST /v1/query. */
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
  ],
  exports: [QueryService],
})
export class QueryModule implements OnModuleInit, OnModuleDestroy {
  constructor(@Inject(QueryService) private readonly queries: QueryService) {}

  onModuleInit(): void {
    this.queries.start();
  }

  onModuleDestroy(): void {
    this.queries.close();
  }
}
