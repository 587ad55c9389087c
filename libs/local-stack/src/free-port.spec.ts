import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ephemeralPortRange, freePort } from './free-port';

describe('freePort', () => {
  it('draws ports below the ephemeral range, so no outgoing connection takes one before the caller binds it', async () => {
    const [low] = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
    }
    // Random, not a counter: twenty draws from thousands of ports are (almost surely) not all the same.
    expect(new Set(ports).size).toBeGreaterThan(1);
  });

  it('returns a port the caller can bind', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  });

  it('reads the kernel range and falls back to the IANA dynamic range', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ports-'));
    writeFileSync(join(dir, 'range'), '40000\t50000\n');
    expect(ephemeralPortRange(join(dir, 'range'))).toEqual([40_000, 50_000]);
    writeFileSync(join(dir, 'bad'), 'nonsense');
    expect(ephemeralPortRange(join(dir, 'bad'))).toEqual([49_152, 65_535]);
    expect(ephemeralPortRange(join(dir, 'missing'))).toEqual([49_152, 65_535]);
  });
});
