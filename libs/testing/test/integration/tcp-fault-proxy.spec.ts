import { Client } from 'pg';
import { getStack } from '../../src/harness';
import { startTcpFaultProxy, type TcpFaultProxy } from '../../src/tcp-fault-proxy';

/** The stack's Postgres URL with its host and port replaced by the proxy's. */
function throughProxy(proxy: TcpFaultProxy): string {
  const url = new URL(getStack().adminDatabaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  return url.toString();
}

async function connected(proxy: TcpFaultProxy, options: { connectionTimeoutMillis?: number } = {}): Promise<Client> {
  const client = new Client({ connectionString: throughProxy(proxy), ...options });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** Settles within `ms`: 'timeout' when `work` has not. */
const within = <T>(work: Promise<T>, ms: number) =>
  Promise.race([work, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);

describe('TCP fault proxy in front of the real Postgres', () => {
  let proxy: TcpFaultProxy;

  beforeEach(async () => {
    const target = new URL(getStack().adminDatabaseUrl);
    proxy = await startTcpFaultProxy({ host: target.hostname, port: Number(target.port || 5432) });
  });
  afterEach(() => proxy.close());

  it('passes a Postgres session through unchanged', async () => {
    const client = await connected(proxy);
    expect((await client.query('SELECT 41 + 1 AS answer')).rows).toEqual([{ answer: 42 }]);
    expect(proxy.openConnections()).toBe(1);
    await client.end();
  });

  it('hang silences open connections and new ones, and lets held bytes through when it passes again', async () => {
    const client = await connected(proxy);
    proxy.setMode('hang');
    const query = client.query('SELECT 7 AS seven');
    expect(await within(query, 1500)).toBe('timeout');
    const fresh = new Client({ connectionString: throughProxy(proxy), connectionTimeoutMillis: 1000 });
    fresh.on('error', () => undefined);
    await expect(fresh.connect()).rejects.toThrow(/timeout/i);

    proxy.setMode('pass');
    expect((await query).rows).toEqual([{ seven: 7 }]);
    const after = await connected(proxy);
    expect((await after.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await Promise.all([client.end(), after.end()]);
  });

  it('refuse resets new connections and destroys open ones, until it passes again', async () => {
    const client = await connected(proxy);
    const lost = new Promise<Error>((resolve) => client.once('error', resolve));
    proxy.setMode('refuse');
    expect((await lost).message).toMatch(/ECONNRESET|terminated|Connection/i);
    await expect(connected(proxy)).rejects.toThrow(/ECONNRESET|Connection terminated/i);
    expect(proxy.openConnections()).toBe(0);

    proxy.setMode('pass');
    const again = await connected(proxy);
    expect((await again.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    await again.end();
  });

  it('close() ends every connection', async () => {
    const client = await connected(proxy);
    const ended = new Promise<void>((resolve) => client.once('end', resolve));
    await proxy.close();
    await ended;
    expect(proxy.openConnections()).toBe(0);
  });
});
