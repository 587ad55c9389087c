import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client, createSqsClient, type EmfWriter } from '@flux-capacitor/aws';
import type { FluxConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Archiver } from '@flux-capacitor/shard-archiver';
import type { ArchiveEventPublisher } from '../../src/shard/shard-work-context';

/** Everything an archiver integration test needs: its own database, bucket, queue prefix and clients. */
export class ArchiverHarness {
  readonly kinesis;
  readonly s3;
  readonly sqs;
  readonly store: ArchiveStore;
  readonly publisher: SqsPublisher;
  private readonly archivers: Archiver[] = [];

  private constructor(
    readonly config: FluxConfig,
    readonly db: TestDatabase,
    readonly dataSource: DataSource,
  ) {
    this.kinesis = createKinesisClient(config.aws);
    this.s3 = createS3Client(config.aws);
    this.sqs = createSqsClient(config.aws);
    this.store = createArchiveStore(config.archive, this.s3);
    this.publisher = new SqsPublisher({ client: this.sqs, settings: config.sqs, producer: 'archiver' });
  }

  static async create(overrides: Record<string, string> = {}): Promise<ArchiverHarness> {
    Logger.overrideLogger(['error', 'warn']);
    const bucket = uniqueName('flux-arch');
    const db = await createTestDatabase();
    const config = testConfig({
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      DATABASE_URL: db.url,
      FLUX_BUFFER_INTERVAL_SECONDS: '1',
      FLUX_LEASE_DURATION_SECONDS: '3',
      FLUX_LEASE_HEARTBEAT_SECONDS: '1',
      FLUX_GET_RECORDS_IDLE_MS: '200',
      ...overrides,
    });
    const h = new ArchiverHarness(config, db, await createDataSource(db.url).initialize());
    if (config.archive.kind === 's3') await h.s3.send(new CreateBucketCommand({ Bucket: config.archive.bucket }));
    return h;
  }

  async archiver(
    overrides: Partial<FluxConfig['archiver']> = {},
    parts: { store?: ArchiveStore; publisher?: ArchiveEventPublisher; pageBudgetBytes?: number; emf?: EmfWriter } = {},
  ): Promise<Archiver> {
    const config = { ...this.config, archiver: { ...this.config.archiver, ...overrides } };
    const a = await Archiver.create(
      { config, kinesis: this.kinesis, s3: this.s3, publisher: parts.publisher ?? this.publisher, dataSource: this.dataSource, emf: parts.emf },
      { store: parts.store, pageBudgetBytes: parts.pageBudgetBytes },
    );
    this.archivers.push(a);
    return a;
  }

  /** Every `archive.object.written` payload on the catalog queue so far. */
  async announcements(): Promise<Record<string, unknown>[]> {
    const { QueueUrl } = await this.sqs.send(new GetQueueUrlCommand({ QueueName: `${this.config.sqs.queuePrefix}catalog` }));
    const out: Record<string, unknown>[] = [];
    for (;;) {
      const page = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }),
      );
      if (!page.Messages?.length) break;
      for (const m of page.Messages) out.push(JSON.parse(m.Body!));
    }
    return out;
  }

  async close(): Promise<void> {
    for (const a of this.archivers) await a.close().catch(() => undefined);
    await this.dataSource.destroy();
    await this.db.drop();
    this.kinesis.destroy();
    this.s3.destroy();
    this.sqs.destroy();
  }
}
