import { consoleEnv, formatLogLine } from './dev.command';

describe('formatLogLine', () => {
  it("renders a pino JSON line as time, service, level and message, with the error's reason", () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 12, 0, 1), msg: 'archiving stream failed', error: 'stream orders not found' });
    expect(formatLogLine('archiver', line)).toBe('12:00:01 archiver           ERROR archiving stream failed (stream orders not found)');
  });

  it('keeps a line that is not JSON as it is', () => {
    expect(formatLogLine('catalog', 'plain text')).toMatch(/^\d\d:\d\d:\d\d catalog\s+plain text$/);
  });
});

describe('consoleEnv', () => {
  it("gives the services the console's URLs of the running services and allows the gateway's origin", () => {
    const urls = { FLUX_QUERY_URL: 'http://127.0.0.1:7103', FLUX_CATALOG_URL: 'http://127.0.0.1:7102', FLUX_ARCHIVER_URL: 'http://127.0.0.1:7101' };
    expect(consoleEnv(urls, urls.FLUX_QUERY_URL)).toEqual({
      FLUX_API_CORS_ORIGINS: 'http://127.0.0.1:7103',
      FLUX_CONSOLE_CATALOG_URL: 'http://127.0.0.1:7102',
      FLUX_CONSOLE_ARCHIVER_URL: 'http://127.0.0.1:7101',
    });
  });
});
