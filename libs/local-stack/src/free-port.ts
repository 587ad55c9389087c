import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** The lowest port free ports are drawn from: above the registered services most machines run (Postgres, Redis, 7101-7104). */
const LOWEST = 20_000;

/**
 * Where the kernel draws ephemeral ports from: outgoing connections and `listen(0)`. A port found free and released
 * there can be handed to anyone's next connection before our service binds it (EADDRINUSE seconds later), so free
 * ports are drawn from below it.
 */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && high >= low) return [low, high];
  } catch {
    // Not Linux (or no procfs): the IANA dynamic range, which macOS and Windows use.
  }
  return [49_152, 65_535];
}

function tryListen(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

/**
 * A loopback port that is free now and that the kernel will not hand out by itself: a random one below the
 * ephemeral range, checked by binding it. Between this call and the caller's own bind only another process choosing
 * the very same number explicitly can take it. Falls back to the kernel's choice when no such range exists.
 */
export async function freePort(): Promise<number> {
  const [ephemeralLow] = ephemeralPortRange();
  const high = Math.min(ephemeralLow, 65_536);
  if (high - LOWEST >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const port = await tryListen(LOWEST + Math.floor(Math.random() * (high - LOWEST)));
      if (port !== undefined) return port;
    }
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error('no free loopback port');
  return port;
}

/** True when something accepts TCP connections on host:port. */
export function isListening(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const { connect } = require('node:net') as typeof import('node:net');
    const socket = connect(port, host);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
