import { formatLogLine } from './dev.command';

describe('formatLogLine', () => {
  it("renders a pino JSON line as time, service, level and message, with the error's reason", () => {
    const line = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 1, 12, 0, 1), msg: 'archiving stream failed', error: 'stream orders not found' });
    expect(formatLogLine('archiver', line)).toBe('12:00:01 archiver           ERROR archiving stream failed (stream orders not found)');
  });

  it('keeps a line that is not JSON as it is', () => {
    expect(formatLogLine('catalog', 'plain text')).toMatch(/^\d\d:\d\d:\d\d catalog\s+plain text$/);
  });
});
