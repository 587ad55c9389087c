import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError } from './cli-error';
import { politeFetch } from './flux-api';

/** A real HTTP server on loopback; `handle` answers each request. */
async function serve(handle: (path: string, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => handle(req.url ?? '/', res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** Writes `chunks` one after another, `gapMs` apart, then ends (unless `end` is false: the body stalls). */
async function trickle(res: ServerResponse, chunks: string[], gapMs: number, end = true): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/csv' });
  res.flushHeaders();
  for (const chunk of chunks) {
    await sleep(gapMs);
    if (res.destroyed) return;
    res.write(chunk);
  }
  if (end) res.end();
}

describe('politeFetch', () => {
  const TIMEOUT_MS = 300;
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it('lets a body stream for longer than the timeout as long as data keeps coming', async () => {
    // 10 chunks 100 ms apart: the whole body takes about three times the timeout, no gap reaches it.
    const chunks = Array.from({ length: 10 }, (_, i) => `row-${i}\n`);
    const started = await serve((_, res) => void trickle(res, chunks, 100));
    server = started.server;
    const res = await politeFetch('query gateway', started.url, fetch, TIMEOUT_MS)(new Request(`${started.url}/export`));
    expect(await res.text()).toBe(chunks.join(''));
  });

  it('fails a call whose headers do not come in time, and a body that stops coming', async () => {
    const started = await serve((path, res) => {
      if (path === '/stalls') void trickle(res, ['first\n'], 10, false);
      // '/silent' never answers
    });
    server = started.server;
    const polite = politeFetch('query gateway', started.url, fetch, TIMEOUT_MS);
    await expect(polite(new Request(`${started.url}/silent`, { method: 'POST' }))).rejects.toThrow(CliError);
    const res = await polite(new Request(`${started.url}/stalls`));
    await expect(res.text()).rejects.toThrow(/no answer within 300 ms/);
  });

  it("stops a download when the caller's signal aborts (Ctrl-C)", async () => {
    const started = await serve((_, res) => void trickle(res, Array.from({ length: 100 }, () => 'x\n'), 20));
    server = started.server;
    const interrupt = new AbortController();
    const res = await politeFetch('query gateway', started.url, fetch, TIMEOUT_MS)(new Request(`${started.url}/export`, { signal: interrupt.signal }));
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    interrupt.abort(new Error('interrupted'));
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return 'ended';
      })(),
    ).rejects.toThrow('interrupted');
  });
});
