import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createKinesisClient, createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { FLUX_CONFIG, loadConfig, type FluxConfig } from '@flux-capacitor/config';
import { connectInBackground, dataSourceOptions, type BackgroundConnection } from '@flux-capacitor/persistence';
import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown, OnModuleInit, type MiddlewareConsumer, type NestModule, type Type } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { APP_FILTER, APP_GUARD, ModuleRef } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { BearerAuthGuard } from './auth/bearer-auth.guard';
import { StaticTokenVerifier, TOKEN_VERIFIER, type TokenVerifier } from './auth/token-verifier';
import { ProblemDetailsFilter } from './errors/problem-details.filter';
import { archiveCheck, kinesisCheck, postgresCheck, sqsCheck } from './health/dependency-checks';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health.registry';
import { loggerOptions } from './logging/logger-options';
import { registerHealthGauge } from './metrics/health.metrics';
import { httpMetricsMiddleware } from './metrics/http.metrics';
import { MetricsController } from './metrics/metrics.controller';
import type { ServiceName } from './service-name';

export type Dependency = 'postgres' | 'sqs' | 's3' | 'kinesis';

export interface FluxServiceOptions {
  service: ServiceName;
  /** What /health checks: each is a real call to the dependency. */
  dependencies: Dependency[];
  /** The environment to validate; defaults to the process environment. Tests pass their own. */
  env?: NodeJS.ProcessEnv;
  /** Who checks bearer credentials (e.g. an OIDC/JWT verifier); defaults to the static FLUX_API_TOKENS. See docs/security.md. */
  tokenVerifier?: Type<TokenVerifier>;
}

export const SERVICE_OPTIONS = Symbol.for('flux-capacitor.service-options');

/** The background connection of each service's DataSource, for /health and shutdown. */
const connections = new WeakMap<DataSource, BackgroundConnection>();

/** How long start-up waits for the first connection attempt; a silent Postgres must not hold it up longer. */
const FIRST_CONNECT_WAIT_MS = 6000;

/**
 * The service's DataSource, connecting in the background: a service starts (and reports itself not ready) while
 * Postgres is down, and connects within 2 s of its return, instead of failing at start-up. When Postgres answers,
 * start-up waits for the connection, so a service is ready as soon as it listens.
 */
async function connectingDataSource(options: ConstructorParameters<typeof DataSource>[0]): Promise<DataSource> {
  const ds = new DataSource(options);
  const logger = new Logger('Database');
  const connection = connectInBackground(ds, { onRetry: (error, delayMs) => logger.warn({ msg: 'cannot connect to Postgres; retrying', error, delayMs }) });
  connections.set(ds, connection);
  await Promise.race([connection.firstAttempt, sleep(FIRST_CONNECT_WAIT_MS, undefined, { ref: false })]);
  return ds;
}

/**
 * What every flux-capacitor service has: validated config, JSON logs, Postgres through TypeORM, AWS clients,
 * /health, /metrics, bearer auth for routes marked with @RequireRole, and errors answered as RFC 9457 problems (ProblemDetailsFilter).
 */
@Global()
@Module({})
export class FluxServiceModule implements NestModule, OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(SERVICE_OPTIONS) private readonly options: FluxServiceOptions,
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
    private readonly registry: HealthRegistry,
    private readonly moduleRef: ModuleRef,
  ) {}

  static forRoot(options: FluxServiceOptions): DynamicModule {
    return {
      module: FluxServiceModule,
      imports: [
        ConfigModule.forRoot({
          isGlobal: true,
          ignoreEnvFile: true,
          // Validation happens here, once, at start; a bad setting stops the process naming the key.
          load: [() => ({ flux: loadConfig(options.env) })],
        }),
        LoggerModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (cs: ConfigService) => loggerOptions(options.service, cs.getOrThrow<FluxConfig>('flux')),
        }),
        TypeOrmModule.forRootAsync({
          inject: [ConfigService],
          useFactory: (cs: ConfigService) => ({ ...dataSourceOptions(cs.getOrThrow<FluxConfig>('flux').database), manualInitialization: true }),
          dataSourceFactory: async (options) => {
            if (!options) throw new Error('TypeORM options missing');
            return connectingDataSource(options);
          },
        }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: SERVICE_OPTIONS, useValue: options },
        { provide: FLUX_CONFIG, inject: [ConfigService], useFactory: (cs: ConfigService) => cs.getOrThrow('flux') },
        { provide: SQSClient, inject: [FLUX_CONFIG], useFactory: (c: FluxConfig) => createSqsClient(c.aws) },
        { provide: S3Client, inject: [FLUX_CONFIG], useFactory: (c: FluxConfig) => createS3Client(c.aws) },
        { provide: KinesisClient, inject: [FLUX_CONFIG], useFactory: (c: FluxConfig) => createKinesisClient(c.aws) },
        HealthRegistry,
        { provide: TOKEN_VERIFIER, useClass: options.tokenVerifier ?? StaticTokenVerifier },
        { provide: APP_GUARD, useClass: BearerAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
      ],
      exports: [FLUX_CONFIG, SERVICE_OPTIONS, SQSClient, S3Client, KinesisClient, HealthRegistry],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpMetricsMiddleware).forRoutes('{*path}');
  }

  onModuleInit(): void {
    register.setDefaultLabels({ service: this.options.service });
    // Node's default metrics under their usual names (process_*, nodejs_*), so stock dashboards read them.
    if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();
    const deps = new Set(this.options.dependencies);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const get = <T>(token: abstract new (...args: any[]) => T) => this.moduleRef.get<T>(token, { strict: false });
    const ds = get(DataSource);
    if (deps.has('postgres')) this.registry.register('postgres', postgresCheck(ds, connections.get(ds)));
    if (deps.has('sqs')) this.registry.register('sqs', sqsCheck(get(SQSClient), this.config.sqs.queuePrefix));
    if (deps.has('s3')) this.registry.register('archive', archiveCheck(this.config.archive, get(S3Client)));
    if (deps.has('kinesis')) this.registry.register('kinesis', kinesisCheck(get(KinesisClient)));
    registerHealthGauge(this.registry);
  }

  onApplicationShutdown(): void {
    connections.get(this.moduleRef.get(DataSource, { strict: false }))?.stop();
    for (const client of [SQSClient, S3Client, KinesisClient]) this.moduleRef.get(client, { strict: false }).destroy();
  }
}
