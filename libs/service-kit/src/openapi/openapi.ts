import { applyDecorators, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiResponse, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

/** Title and description of a service's OpenAPI document. */
export interface OpenApiInfo {
  title: string;
  description: string;
}

/**
 * A zod schema as the OpenAPI 3.0 schema of a JSON body. A `z.date()` is written as an ISO-8601 string, which is
 * what JSON.stringify makes of it, so a controller can return the Dates its libs hand it and still be typed by
 * the schema it documents.
 */
export function openApiSchema(schema: z.ZodType): SchemaObject {
  return z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    unrepresentable: 'any',
    override: (ctx) => {
      if (ctx.zodSchema._zod.def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as SchemaObject;
}

/** The problem details every error answers with (ProblemDetailsFilter). */
export const problemDetailsSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string(),
  code: z.string().describe('stable machine code, e.g. STREAM_NOT_FOUND'),
  details: z.record(z.string(), z.unknown()).optional(),
});

/** Documents a JSON answer with the given zod schema (default 200). */
export const ApiJsonResponse = (schema: z.ZodType, options: { status?: number; description?: string } = {}) =>
  ApiResponse({ status: options.status ?? 200, description: options.description ?? 'OK', schema: openApiSchema(schema) });

/** Documents an error answer as problem details. */
export const ApiProblemResponse = (status: number, description: string) =>
  ApiResponse({ status, description, content: { 'application/problem+json': { schema: openApiSchema(problemDetailsSchema) } } });

/** Documents several error answers at once: `{ 404: 'STREAM_NOT_FOUND: ...' }`. */
export const ApiProblems = (byStatus: Record<number, string>) =>
  applyDecorators(...Object.entries(byStatus).map(([status, description]) => ApiProblemResponse(Number(status), description)));

/** The errors of any route with a bearer token and a `:stream` parameter. */
export const STREAM_ROUTE_PROBLEMS = {
  400: 'INVALID_REQUEST: a bad stream name or query parameter; `detail` says which',
  401: 'UNAUTHENTICATED: no bearer token, or an unknown one',
  403: 'FORBIDDEN: the token lacks the role, or STREAM_FORBIDDEN: it may not read this stream',
} as const;

/** The service's OpenAPI document, from its controllers' decorators. */
export function createOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  return SwaggerModule.createDocument(app, new DocumentBuilder().setTitle(info.title).setDescription(info.description).setVersion('1').addBearerAuth().build());
}

/** Serves the OpenAPI document at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication, info: OpenApiInfo): void {
  SwaggerModule.setup('docs', app, createOpenApiDocument(app, info));
}

/**
 * A service's OpenAPI document without running it: Nest's preview mode resolves the module graph and routes but
 * instantiates nothing, so no configuration, database or AWS endpoint is needed (`npm run docs:openapi`).
 */
export async function openApiDocumentOf(rootModule: Type<unknown>, info: OpenApiInfo): Promise<OpenAPIObject> {
  const app = await NestFactory.create(rootModule, { preview: true, logger: false, abortOnError: false });
  try {
    return createOpenApiDocument(app, info);
  } finally {
    await app.close();
  }
}
