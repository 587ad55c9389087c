import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EmfWriter } from '@flux-capacitor/aws';
import { Archiver } from '@flux-capacitor/shard-archiver';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import { HealthRegistry } from '@flux-capacitor/service-kit';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Runs the archiver inside the service: starts it once the app is up, reports it on /health (degraded when the
 * oldest unarchived record passes half the retention period), and on shutdown flushes and commits every buffer.
 */
@Injectable()
export class ArchivingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ArchivingService.name);
  private archiver: Archiver | undefined;

  constructor(
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
    private readonly kinesis: KinesisClient,
    private readonly s3: S3Client,
    private readonly sqs: SQSClient,
    private readonly health: HealthRegistry,
    private readonly dataSource: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.health.register('archiver', async () => {
      if (!this.archiver) return { status: 'up', streams: [] };
      const { status, ...details } = this.archiver.health();
      return { status, ...details };
    });
    if (this.config.archiver.streams.length === 0) {
      this.logger.warn('FLUX_ARCHIVER_STREAMS is empty: nothing to archive');
      return;
    }
    this.archiver = await Archiver.create({
      config: this.config,
      kinesis: this.kinesis,
      s3: this.s3,
      dataSource: this.dataSource,
      publisher: new SqsPublisher({ client: this.sqs, settings: this.config.sqs, producer: 'archiver' }),
      emf: new EmfWriter(this.config.metrics.emf, { Service: 'archiver' }),
    });
    this.archiver.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.archiver?.stop(this.config.shutdownGraceMs);
  }
}
