import { ConfigError, loadConfig } from '@flux-capacitor/config';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { HealthRegistry, type HealthReport } from './health/health.registry';
import { useBodyLimit } from './http/body-limit';
import { useCors } from './http/cors';
import { SERVICES, type ServiceName } from './service-name';

/** A consumer strategy that reports whether it consumes (SqsServer: queue resolved, database answering). */
interface ReportsReadiness {
  readiness(): HealthReport;
}

export interface BootstrapOptions {
  service: ServiceName;
  /** Extra HTTP set-up (OpenAPI, body limits) before the server listens. */
  configure?: (app: INestApplication) => void | Promise<void>;
  /** The SQS consumer strategy, built from the app's container, for services that handle messages. */
  consumer?: (app: INestApplication) => CustomStrategy;
}

/** Exit code for a configuration error (sysexits EX_CONFIG), so supervisors can tell it from a crash. */
export const EXIT_CONFIG = 78;

/**
 * Starts a service: validate configuration first (a bad setting stops the process with one line naming it),
 * then the Nest application with its SQS consumer, and stop gracefully on SIGTERM/SIGINT.
 */
export async function bootstrapService(rootModule: Type<unknown>, options: BootstrapOptions): Promise<INestApplication> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${options.service}: ${err.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw err;
  }
  const app = await NestFactory.create(rootModule, { bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  useBodyLimit(app, config.http.maxBodyBytes);
  useCors(app, config.http.corsOrigins);
  await options.configure?.(app);
  if (options.consumer) {
    const consumer = options.consumer(app);
    // A consumer that can tell whether it is consuming (the SQS server) is part of readiness.
    const readiness = (consumer.strategy as Partial<ReportsReadiness>).readiness?.bind(consumer.strategy);
    if (readiness) app.get(HealthRegistry).register('consumer', async () => readiness());
    app.connectMicroservice(consumer, { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  const port = config.http.port ?? SERVICES[options.service].defaultPort;
  await app.listen(port, config.http.host);
  logger.log(`${options.service} listening on http://${config.http.host}:${port}`, 'Bootstrap');

  // On SIGTERM/SIGINT: stop taking work, let in-flight work finish or hand it back (app.close runs every
  // shutdown hook, the SQS consumer's included), then exit 0. If that hangs, do not hang with it.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal} received: shutting down`, 'Bootstrap');
      setTimeout(() => {
        process.stderr.write(`${options.service}: shutdown took longer than ${config.shutdownGraceMs + 5000} ms, exiting\n`);
        process.exit(1);
      }, config.shutdownGraceMs + 5000).unref();
      app.close().then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`${options.service}: error during shutdown: ${String(err)}\n`);
          process.exit(1);
        },
      );
    });
  }
  return app;
}
