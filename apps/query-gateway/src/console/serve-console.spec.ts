import { FLUX_CONFIG } from '@flux-capacitor/config';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleCsp, isApiPath, serveConsole } from './serve-console';

describe('serving the console', () => {
  it.each(['/v1', '/v1/queries', '/docs', '/docs-json', '/docs/swagger-ui.css', '/health', '/metrics', '/console-config.json'])('leaves the API path %s to the API', (path) => {
    expect(isApiPath(path)).toBe(true);
  });

  it.each(['/', '/search', '/streams/orders', '/replays/new', '/v1x', '/healthy-looking'])('answers the client route %s with the app', (path) => {
    expect(isApiPath(path)).toBe(false);
  });

  it('lets the page call only its own origin and the configured services', () => {
    const csp = consoleCsp({ catalog: 'http://127.0.0.1:7102', replay: null, archiver: 'http://127.0.0.1:7101/base' });
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self' http://127.0.0.1:7102 http://127.0.0.1:7101;");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  });
});

describe('serving the built console', () => {
  let app: NestExpressApplication;
  let base: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'assets', 'main-abc.js'), 'console.log(1)');
    const config = { console: { dir, urls: { catalog: 'http://127.0.0.1:7102', replay: null, archiver: null } } };
    @Module({ providers: [{ provide: FLUX_CONFIG, useValue: config }] })
    class TestModule {}
    app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false });
    serveConsole(app);
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(['/', '/streams/orders', '/index.html'])('sends %s with the page headers (CSP, no referrer, no cache)', async (path) => {
    const res = await fetch(`${base}${path}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root"></div>');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('caches the hashed assets for a year', async () => {
    const res = await fetch(`${base}/assets/main-abc.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });
});
