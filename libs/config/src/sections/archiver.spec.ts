import { ConfigError, loadConfig } from '../load-config';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux', FLUX_ARCHIVE_URI: 'file:///tmp/archive' };

describe('archiver settings', () => {
  it('defaults to 64 MiB / 300 s buffering hints and TRIM_HORIZON', () => {
    const { archiver } = loadConfig(base);
    expect(archiver.bufferSizeBytes).toBe(64 * 1024 * 1024);
    expect(archiver.bufferIntervalMs).toBe(300_000);
    expect(archiver.initialPosition).toEqual({ type: 'TRIM_HORIZON', timestamp: undefined });
    expect(archiver.streams).toEqual([]);
  });

  it('bounds memory (512 MiB) and the disk of buffered rows (1024 MiB) by default, each settable', () => {
    expect(loadConfig(base).archiver).toMatchObject({ memoryBytes: 512 * 1024 * 1024, spoolBytes: 1024 * 1024 * 1024 });
    expect(loadConfig({ ...base, FLUX_ARCHIVER_SPOOL_MIB: '16' }).archiver.spoolBytes).toBe(16 * 1024 * 1024);
    expect(() => loadConfig({ ...base, FLUX_ARCHIVER_SPOOL_MIB: '15' })).toThrow(/FLUX_ARCHIVER_SPOOL_MIB/);
  });

  it('reads streams, hints and AT_TIMESTAMP', () => {
    const { archiver } = loadConfig({
      ...base,
      FLUX_ARCHIVER_STREAMS: 'orders, clicks',
      FLUX_BUFFER_SIZE_MIB: '1',
      FLUX_BUFFER_INTERVAL_SECONDS: '900',
      FLUX_ARCHIVER_INITIAL_POSITION: 'AT_TIMESTAMP',
      FLUX_ARCHIVER_INITIAL_TIMESTAMP: '2026-01-31T00:00:00Z',
    });
    expect(archiver.streams).toEqual(['orders', 'clicks']);
    expect(archiver.bufferSizeBytes).toBe(1024 * 1024);
    expect(archiver.initialPosition.timestamp?.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });

  it('names every out-of-range or inconsistent archiver key', () => {
    try {
      loadConfig({ ...base, FLUX_BUFFER_SIZE_MIB: '129', FLUX_BUFFER_INTERVAL_SECONDS: '0' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.key).sort()).toEqual(['FLUX_BUFFER_INTERVAL_SECONDS', 'FLUX_BUFFER_SIZE_MIB']);
    }
    expect(() => loadConfig({ ...base, FLUX_ARCHIVER_INITIAL_POSITION: 'AT_TIMESTAMP' })).toThrow(/FLUX_ARCHIVER_INITIAL_TIMESTAMP/);
    expect(() => loadConfig({ ...base, FLUX_LEASE_DURATION_SECONDS: '5', FLUX_LEASE_HEARTBEAT_SECONDS: '5' })).toThrow(
      /FLUX_LEASE_HEARTBEAT_SECONDS/,
    );
    expect(() => loadConfig({ ...base, FLUX_ARCHIVER_STREAMS: 'ok,not/ok' })).toThrow(/FLUX_ARCHIVER_STREAMS/);
  });
});
