import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CliError, INTERRUPTED_EXIT_CODE, UsageError } from '../cli-error';
import { describeProgress, readSql, viaGateway } from './query.command';

const stdin = (text: string, isTTY = false) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY }) as unknown as NodeJS.ReadStream;

describe('readSql', () => {
  it('takes the argument, a file (without its trailing semicolon) or piped stdin', async () => {
    expect(await readSql('SELECT 1', undefined, stdin(''))).toBe('SELECT 1');
    const file = join(mkdtempSync(join(tmpdir(), 'flux-sql-')), 'q.sql');
    writeFileSync(file, 'SELECT 2;\n');
    expect(await readSql(undefined, file, stdin(''))).toBe('SELECT 2');
    expect(await readSql(undefined, undefined, stdin(' SELECT 3 ;\n'))).toBe('SELECT 3');
    expect(await readSql('-', undefined, stdin('SELECT 4'))).toBe('SELECT 4');
  });

  it('is a usage error without SQL, with both an argument and a file, or with empty SQL', async () => {
    await expect(readSql(undefined, undefined, stdin('', true))).rejects.toThrow(UsageError);
    await expect(readSql('SELECT 1', 'x.sql', stdin(''))).rejects.toThrow(UsageError);
    await expect(readSql(undefined, undefined, stdin(' ;\n'))).rejects.toThrow(new UsageError('the SQL is empty'));
  });
});

describe('describeProgress', () => {
  it('says what a running query has scanned so far', () => {
    expect(describeProgress({ state: 'queued', progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, bytesScanned: 0, liveRecords: 0 } })).toBe('queued');
    expect(describeProgress({ state: 'running', progress: { objectsTotal: 10, objectsScanned: 3, rowsScanned: 120_000, bytesScanned: 4 * 1024 * 1024, liveRecords: 12 } })).toBe(
      'running: 3/10 objects, 120,000 rows, 4.0 MiB scanned, 12 live records',
    );
  });
});

/**
 * A stand-in query gateway on loopback (real HTTP): one query `q-1`, which `GET /v1/queries/q-1` reports as `state`;
 * its CSV results are `csvChunks`, written one by one; DELETE answers `deleteStatus`.
 */
async function fakeGateway(options: { state: string; csvChunks?: Buffer[]; deleteStatus?: number; onStatus?: () => void }) {
  const requests: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`);
    if (req.method === 'POST') return json(res, 202, { id: 'q-1', state: 'queued' });
    if (req.method === 'DELETE') return json(res, options.deleteStatus ?? 204, { title: 'Internal Server Error', status: options.deleteStatus, detail: 'database is down' });
    if (req.url?.startsWith('/v1/queries/q-1/results')) {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' });
      void (async () => {
        for (const chunk of options.csvChunks ?? []) await new Promise<void>((resolve) => res.write(chunk, () => setTimeout(resolve, 20)));
        res.end();
      })();
      return;
    }
    options.onStatus?.();
    return json(res, 200, { id: 'q-1', state: options.state, warnings: [], progress: { objectsTotal: 0, objectsScanned: 0, rowsScanned: 0, bytesScanned: 0, liveRecords: 0 } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => new Promise((resolve) => server.close(resolve)) };
}

describe('fluxcap query through the gateway', () => {
  const saved = { url: process.env.FLUX_QUERY_URL, token: process.env.FLUX_API_TOKEN };
  afterEach(() => {
    process.env.FLUX_QUERY_URL = saved.url;
    process.env.FLUX_API_TOKEN = saved.token;
    if (saved.url === undefined) delete process.env.FLUX_QUERY_URL;
    if (saved.token === undefined) delete process.env.FLUX_API_TOKEN;
    vi.restoreAllMocks();
  });

  it('writes a CSV export byte for byte, a character split between two chunks included', async () => {
    const csv = Buffer.from('city,n\nZürich,1\n東京,2\n', 'utf8');
    const split = csv.indexOf(Buffer.from('東')) + 1; // inside the three bytes of 東
    const gateway = await fakeGateway({ state: 'succeeded', csvChunks: [csv.subarray(0, split), csv.subarray(split)] });
    process.env.FLUX_QUERY_URL = gateway.url;
    process.env.FLUX_API_TOKEN = 'test-token';
    const written: Buffer[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(Buffer.from(chunk)), true));
    try {
      await viaGateway('SELECT city, n FROM t', 'csv');
    } finally {
      await gateway.close();
    }
    expect(Buffer.concat(written).toString('utf8')).toBe(csv.toString('utf8'));
  });

  it('exits 130 on Ctrl-C even when the gateway fails the cancelling DELETE', async () => {
    const interrupt = new AbortController();
    const gateway = await fakeGateway({ state: 'running', deleteStatus: 500, onStatus: () => interrupt.abort() });
    process.env.FLUX_QUERY_URL = gateway.url;
    process.env.FLUX_API_TOKEN = 'test-token';
    let failure: unknown;
    try {
      await viaGateway('SELECT 1', 'table', undefined, interrupt.signal).catch((err: unknown) => (failure = err));
    } finally {
      await gateway.close();
    }
    expect(gateway.requests).toContain('DELETE /v1/queries/q-1');
    expect(failure).toBeInstanceOf(CliError);
    expect((failure as CliError).exitCode).toBe(INTERRUPTED_EXIT_CODE);
  });
});
