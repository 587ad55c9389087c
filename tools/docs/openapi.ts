import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openApiDocumentOf, type OpenApiInfo } from '@flux-capacitor/service-kit';
import { Logger, type Type } from '@nestjs/common';
import openapiTS, { astToString } from 'openapi-typescript';
// tools/ describes the services from outside, as a client would: it reads their module graphs, never runs them.
/* eslint-disable @nx/enforce-module-boundaries */
import { AppModule as ArchiverModule } from '../../apps/archiver/src/app.module';
import { OPENAPI_INFO as ARCHIVER_INFO } from '../../apps/archiver/src/openapi';
import { AppModule as CatalogModule } from '../../apps/catalog/src/app.module';
import { OPENAPI_INFO as CATALOG_INFO } from '../../apps/catalog/src/openapi';
import { AppModule as QueryGatewayModule } from '../../apps/query-gateway/src/app.module';
import { OPENAPI_INFO as QUERY_GATEWAY_INFO } from '../../apps/query-gateway/src/openapi';
import { AppModule as ReplayCoordinatorModule } from '../../apps/replay-coordinator/src/app.module';
import { OPENAPI_INFO as REPLAY_COORDINATOR_INFO } from '../../apps/replay-coordinator/src/openapi';
/* eslint-enable @nx/enforce-module-boundaries */

/** Where the generated client types go, one file per service. */
export const GENERATED_DIR = join(__dirname, '../../libs/api-client/src/generated');

/** The services whose HTTP APIs the api-client covers, by the file name of their generated types. */
export const API_SERVICES: Record<string, { module: Type<unknown>; info: OpenApiInfo }> = {
  archiver: { module: ArchiverModule, info: ARCHIVER_INFO },
  catalog: { module: CatalogModule, info: CATALOG_INFO },
  'query-gateway': { module: QueryGatewayModule, info: QUERY_GATEWAY_INFO },
  'replay-coordinator': { module: ReplayCoordinatorModule, info: REPLAY_COORDINATOR_INFO },
};

const HEADER = (service: string) =>
  `/**\n * The ${service} HTTP API as TypeScript types, generated from its OpenAPI document by \`npm run docs:openapi\`.\n * Do not edit: change the controller's zod response schemas and regenerate (a unit test fails when this is stale).\n */\n\n`;

/** The generated TypeScript types of one service's API. */
export async function generatedTypes(service: string): Promise<string> {
  const { module, info } = API_SERVICES[service];
  const document = await openApiDocumentOf(module, info);
  // openapi-typescript takes the document as JSON; the Nest document object is plain JSON already.
  const ast = await openapiTS(JSON.parse(JSON.stringify(document)), { alphabetize: true });
  return HEADER(service) + astToString(ast);
}

async function main(): Promise<void> {
  // Preview mode still logs TypeORM's registration warnings; the script's output is the files it writes.
  Logger.overrideLogger(false);
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
