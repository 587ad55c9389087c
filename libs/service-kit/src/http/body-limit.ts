import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';

/**
 * Parses JSON and form bodies up to `maxBytes` (FLUX_API_MAX_BODY_BYTES) in place of Nest's default parsers (100 kB).
 * A larger body is refused by body-parser before it is read into memory; ProblemDetailsFilter answers 413 naming
 * the limit, and malformed JSON 400 MALFORMED_JSON with the parser's message.
 */
export function useBodyLimit(app: INestApplication, maxBytes: number): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: maxBytes });
  express.useBodyParser('urlencoded', { limit: maxBytes, extended: true });
}
