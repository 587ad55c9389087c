import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocumentOf, type OpenApiInfo } from '@flux-capacitor/service-kit';
import { Logger, type Type } from '@nestjs/common';
import openapiTS, { astToString } from 'openapi-typescript';
/** Where the generated client types go, one file per service. */
export const GENERATED_DIR = join(__dirname, '../../libs/api-client/src/generated');

/**
 * The services whose HTTP APIs the api-client covers, by the file name of their generated types. Loaded lazily, after
 * Nest's logger is silenced: each app module registers a TypeORM data source when it is imported, and a second one in
 * the same process logs a warning that means nothing here. tools/ describes the services from outside, as a client
 * would: it reads their module graphs, never runs them.
 */
/* eslint-disable @nx/enforce-module-boundaries */
export const API_SERVICES: Record<string, () => Promise<{ module: Type<unknown>; info: OpenApiInfo }>> = {
  archiver: async () => ({ module: (await import('../../apps/archiver/src/app.module')).AppModule, info: (await import('../../apps/archiver/src/openapi')).OPENAPI_INFO }),
  catalog: async () => ({ module: (await import('../../apps/catalog/src/app.module')).AppModule, info: (await import('../../apps/catalog/src/openapi')).OPENAPI_INFO }),
  'query-gateway': async () => ({
    module: (await import('../../apps/query-gateway/src/app.module')).AppModule,
    info: (await import('../../apps/query-gateway/src/openapi')).OPENAPI_INFO,
  }),
  'replay-coordinator': async () => ({
    module: (await import('../../apps/replay-coordinator/src/app.module')).AppModule,
    info: (await import('../../apps/replay-coordinator/src/openapi')).OPENAPI_INFO,
  }),
};
/* eslint-enable @nx/enforce-module-boundaries */

const HEADER = (service: string) =>
  `/**\n * The ${service} HTTP API as TypeScript types, generated from its OpenAPI document by \`npm run docs:openapi\`.\n * Do not edit: change the controller's zod response schemas and regenerate (a unit test fails when this is stale).\n */\n\n`;

/** The generated TypeScript types of one service's API. */
export async function generatedTypes(service: string): Promise<string> {
  Logger.overrideLogger(false);
  const { module, info } = await API_SERVICES[service]();
  const document = await openApiDocumentOf(module, info);
  // openapi-typescript takes the document as JSON; the Nest document object is plain JSON already.
  const ast = await openapiTS(JSON.parse(JSON.stringify(document)), { alphabetize: true });
  return HEADER(service) + astToString(ast);
}

async function main(): Promise<void> {
  mkdirSync(GENERATED_DIR, { recursive: true });
  for (const service of Object.keys(API_SERVICES)) {
    writeFileSync(join(GENERATED_DIR, `${service}.ts`), await generatedTypes(service));
    process.stdout.write(`libs/api-client/src/generated/${service}.ts updated\n`);
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
