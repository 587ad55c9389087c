import type { INestApplication } from '@nestjs/common';

/**
 * Lets the pages of `origins` (FLUX_API_CORS_ORIGINS) call the API from a browser: the web console on another
 * origin than the service. Bearer tokens only, never cookies, so no credentials mode, and only the methods and
 * headers the APIs use. No origins: no CORS headers at all, and browsers keep refusing cross-origin calls.
 */
export function useCors(app: INestApplication, origins: readonly string[]): void {
  if (origins.length === 0) return;
  app.enableCors({
    origin: origins.includes('*') ? '*' : [...origins],
    methods: ['GET', 'POST', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type'],
    // What the clients read from answers: where a replay was created, when to retry a full queue, a download's name.
    exposedHeaders: ['Location', 'Retry-After', 'Content-Disposition'],
    credentials: false,
    maxAge: 600,
  });
}
