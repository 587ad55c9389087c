import { ConfigError, loadConfig } from '@flux-capacitor/config';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import { Logger } from 'nestjs-pino';
import { SERVICES, type ServiceName } from './service-name';

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
  app.enableShutdownHooks();
  await options.configure?.(app);
  if (options.consumer) {
    app.connectMicroservice(options.consumer(app), { inheritAppConfig: true });
    await app.startAllMicroservices();
  }
  const port = config.http.port ?? SERVICES[options.service].defaultPort;
  await app.listen(port, config.http.host);
  logger.log(`${options.service} listening on http://${config.http.host}:${port}`, 'Bootstrap');

  // Shutdown hooks finish or hand back in-flight work; if that hangs, do not hang with it.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        process.stderr.write(`${options.service}: shutdown took longer than ${config.shutdownGraceMs + 5000} ms, exiting\n`);
        process.exit(1);
      }, config.shutdownGraceMs + 5000).unref();
    });
  }
  return app;
}
