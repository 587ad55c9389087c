import { consoleCsp, isApiPath } from './serve-console';

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
