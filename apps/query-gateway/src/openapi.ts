import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** Serves the OpenAPI document at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('flux-capacitor query gateway')
      .setDescription(
        'SQL over archived and live Kinesis records. Each stream is a table; see docs/query.md. Asynchronous queries are shared by every gateway replica and listed per caller at GET /v1/queries.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
}
