import { SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import type { QueueName } from '@flux-capacitor/contracts';
import {
  Inject,
  Injectable,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SqsPublisher } from './sqs.publisher';
import { SqsServer, type SqsServerOptions } from './sqs.server';

export interface SqsMessagingOptions {
  /** Service name: the inbox de-duplicates per consumer, and envelopes name it as producer. */
  consumer: string;
}

export const SQS_MESSAGING_OPTIONS = Symbol.for('flux-capacitor.sqs-messaging-options');

/**
 * Builds the SqsServer of a queue for `app.connectMicroservice({ strategy: factory.create(Queues.Catalog) })`,
 * from the module's SQSClient, FluxConfig and the application's TypeORM DataSource. Servers it built are closed
 * when the application shuts down (close() is idempotent, so closing one earlier is fine).
 */
@Injectable()
export class SqsServerFactory implements OnApplicationShutdown {
  private readonly servers: SqsServer[] = [];

  constructor(
    private readonly client: SQSClient,
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
    @Inject(SQS_MESSAGING_OPTIONS) private readonly options: SqsMessagingOptions,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  create(queue: QueueName, overrides: Partial<Pick<SqsServerOptions, 'dataSource' | 'concurrency'>> = {}): SqsServer {
    const dataSource = overrides.dataSource ?? this.dataSource;
    if (!dataSource) {
      throw new Error('SqsServerFactory needs a TypeORM DataSource (import TypeOrmModule, or pass overrides.dataSource)');
    }
    const server = new SqsServer({
      client: this.client,
      settings: this.config.sqs,
      queue,
      consumer: this.options.consumer,
      dataSource,
      concurrency: overrides.concurrency,
      shutdownGraceMs: this.config.shutdownGraceMs,
    });
    this.servers.push(server);
    return server;
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close()));
  }
}

/** Destroys the module's SQS client after everything that uses it has stopped. */
@Injectable()
class SqsClientLifecycle implements OnApplicationShutdown {
  constructor(private readonly client: SQSClient) {}
  onApplicationShutdown(): void {
    this.client.destroy();
  }
}

/**
 * SQS messaging for a service: `SQSClient`, `SqsPublisher` and `SqsServerFactory`. Needs `FLUX_CONFIG` from a global module (the service kit provides it).
 */
@Module({})
export class SqsMessagingModule {
  static forRoot(options: SqsMessagingOptions): DynamicModule {
    return {
      module: SqsMessagingModule,
      providers: [
        { provide: SQS_MESSAGING_OPTIONS, useValue: options },
        { provide: SQSClient, inject: [FLUX_CONFIG], useFactory: (config: FluxConfig) => createSqsClient(config.aws) },
        {
          provide: SqsPublisher,
          inject: [SQSClient, FLUX_CONFIG],
          useFactory: (client: SQSClient, config: FluxConfig) =>
            new SqsPublisher({ client, settings: config.sqs, producer: options.consumer }),
        },
        SqsServerFactory,
        SqsClientLifecycle,
      ],
      exports: [SQSClient, SqsPublisher, SqsServerFactory],
    };
  }
}
