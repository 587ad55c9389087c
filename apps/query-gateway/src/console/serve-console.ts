import { FLUX_CONFIG, type FluxConfig } from '@flux-capacitor/config';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's build output (`npx nx build console`), relative to this file in the source tree. */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '../../../../dist/apps/console');

/** Paths that belong to the API and the service plumbing: never answered with the console's index.html. */
const API_PREFIXES = ['/v1', '/docs', '/health', '/metrics', '/console-config.json'];

/** `/v1`, `/v1/...`, `/docs-json`, ... */
export const isApiPath = (path: string) => API_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`) || path.startsWith(`${p}-`));

/**
 * The Content-Security-Policy of the console's page: scripts only from this origin (Vite emits no inline script),
 * API calls only to this origin and the configured service URLs. Mantine sets CSS variables in style attributes and
 * tags, hence 'unsafe-inline' for styles only.
 */
export function consoleCsp(urls: FluxConfig['console']['urls']): string {
  const origins = [urls.catalog, urls.replay, urls.archiver].filter((u): u is string => !!u).map((u) => new URL(u).origin);
  return [
    "default-src 'self'",
    `connect-src 'self' ${[...new Set(origins)].join(' ')}`.trim(),
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Serves the built web console: its hashed assets (cached for a year), and index.html for `/` and any other browser
 * navigation that is not an API path (the console routes on the client: /search, /streams/orders ...). Registered
 * before Nest's router, so it only answers what the API does not own; a request that does not ask for HTML (API
 * clients) falls through to the API and its 404.
 */
export function serveConsole(app: NestExpressApplication): void {
  const config = app.get<FluxConfig>(FLUX_CONFIG);
  const dir = config.console.dir ? resolve(config.console.dir) : DEFAULT_CONSOLE_DIR;
  const index = join(dir, 'index.html');
  const csp = consoleCsp(config.console.urls);
  // Every page gets the same headers however it is asked for: `/index.html` served as a static file too.
  const pageHeaders = (res: { setHeader(name: string, value: string): unknown }) => {
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('content-security-policy', csp);
    res.setHeader('referrer-policy', 'no-referrer');
  };
  app.useStaticAssets(dir, {
    index: false,
    fallthrough: true,
    setHeaders: (res, path) => {
      res.setHeader('x-content-type-options', 'nosniff');
      if (path.includes(`${join(dir, 'assets')}`)) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
      else if (path.endsWith('.html')) pageHeaders(res);
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path) || !(req.headers.accept ?? '').includes('text/html')) return next();
    res.setHeader('cache-control', 'no-cache');
    res.setHeader('x-content-type-options', 'nosniff');
    if (!existsSync(index)) {
      res
        .status(404)
        .type('text/html')
        .send(`<!doctype html><title>flux-capacitor</title><p>The web console is not built. Run <code>npx nx build console</code> (or <code>npm start</code>, which builds it), or point FLUX_CONSOLE_DIR at a built console.</p><p>The API is at <a href="/docs">/docs</a>.</p>`);
      return;
    }
    pageHeaders(res);
    res.sendFile(index);
  });
}
