import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { Client } from 'pg';
import { PgCatalog, PgServer, type PgBackend, type PgPrincipal, type PgRowSource } from '@flux-capacitor/pg-wire';

/**
 * The server with its real catalog mirror and a stand-in for the query path (the gateway's own path is exercised by
 * apps/query-gateway/test/e2e/pgwire-clients.spec.ts): TLS, the start-up, and what SQL tools ask on connect.
 */

const TOKEN = 'integration-token-0123456789';
const LIMITED = 'limited-token-0123456789';
const principals: Record<string, PgPrincipal> = {
  [TOKEN]: { id: 'token:all', roles: new Set(['query']) },
  [LIMITED]: { id: 'token:limited', roles: new Set(['query']), streams: new Set(['orders']) },
};

class StandInBackend implements PgBackend {
  readonly catalog = new PgCatalog(async () => ['orders', 'payments']);
  readonly seen: string[] = [];

  authenticate(password: string) {
    return Promise.resolve(principals[password]);
  }

  async query(sql: string): Promise<PgRowSource> {
    this.seen.push(sql);
    return {
      columns: [{ name: 'n', type: 'BIGINT' }],
      rowCount: 1,
      truncated: false,
      readText: async (offset) => (offset === 0 ? [['1']] : []),
      close: () => undefined,
    };
  }
}

let dir: string;
let server: PgServer;
let port: number;
const backend = new StandInBackend();

const HAS_OPENSSL = spawnSync('openssl', ['version']).status === 0;
if (!HAS_OPENSSL) console.warn('TLS tests skipped: no openssl to make a certificate');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'pgwire-tls-'));
  if (HAS_OPENSSL) execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const tls = HAS_OPENSSL ? { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } : undefined;
  server = new PgServer(backend, { port: 0, host: '127.0.0.1', tls });
  port = await server.listen();
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(token = TOKEN, ssl: boolean | { rejectUnauthorized: false } = false): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port, user: 'flux', database: 'flux', password: token, ssl });
  await client.connect();
  return client;
}

describe('PgServer', () => {
  it.runIf(HAS_OPENSSL)('upgrades to TLS when the client asks (sslmode=require), and plain connections still work', async () => {
    const tls = await connect(TOKEN, { rejectUnauthorized: false });
    expect((tls as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted).toBe(true);
    expect((await tls.query('SELECT 1 AS n')).rows).toEqual([{ n: '1' }]);
    await tls.end();
    const plain = await connect();
    expect((plain as unknown as { connection: { stream: { encrypted?: boolean } } }).connection.stream.encrypted).toBeUndefined();
    await plain.end();
  });

  it.runIf(HAS_OPENSSL && existsSync('/usr/bin/psql'))('psql with sslmode=require reports an encrypted connection', async () => {
    const out = await new Promise<string>((resolve, reject) =>
      execFile('/usr/bin/psql', ['-X', '-A', '-t', '-d', `postgres://flux:${TOKEN}@127.0.0.1:${port}/flux?sslmode=require`, '-c', '\\conninfo'], (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    expect(out).toContain('SSL connection');
  });

  // another host, as near as a test gets: this machine's own non-loopback address
  const external = Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

  it.runIf(HAS_OPENSSL && external !== undefined)('with TLS configured, refuses a plain connection from another host (28000) and takes a TLS one', async () => {
    const wide = new PgServer(backend, { port: 0, host: '0.0.0.0', tls: { cert: readFileSync(join(dir, 'cert.pem')), key: readFileSync(join(dir, 'key.pem')) } });
    const widePort = await wide.listen();
    try {
      const plain = new Client({ host: external, port: widePort, user: 'flux', password: TOKEN });
      await expect(plain.connect()).rejects.toMatchObject({ code: '28000' });
      const tls = new Client({ host: external, port: widePort, user: 'flux', password: TOKEN, ssl: { rejectUnauthorized: false } });
      await tls.connect();
      expect((await tls.query('SELECT 1 AS n')).rows).toEqual([{ n: '1' }]);
      await tls.end();
    } finally {
      await wide.close();
    }
  });

  it('refuses a wrong password with 28P01', async () => {
    await expect(connect('nope')).rejects.toMatchObject({ code: '28P01', severity: 'FATAL' });
  });

  it('answers what DBeaver, Metabase, Superset and Grafana ask on connect from the catalog mirror', async () => {
    const client = await connect();
    const before = backend.seen.length;
    try {
      const ask = async (sql: string, values?: unknown[]) => (await client.query(sql, values)).rows;
      expect(await ask('SELECT current_schema(), session_user')).toHaveLength(1);
      expect(await ask('SHOW search_path')).toEqual([{ search_path: '"$user", public' }]);
      expect(await ask('SHOW TRANSACTION ISOLATION LEVEL')).toEqual([{ transaction_isolation: 'read committed' }]);
      expect((await ask('select pg_catalog.version()'))[0].version).toMatch(/^PostgreSQL \d+\.\d+/);
      expect(await ask("SELECT current_setting('server_version_num')::int/100 AS v")).toHaveLength(1);
      expect((await ask('SELECT datname FROM pg_catalog.pg_database')).map((d) => d.datname)).toContain('flux');
      expect(await ask("SELECT pg_catalog.current_database() AS db, 'current_database()' AS s")).toEqual([{ db: 'flux', s: 'current_database()' }]);
      expect((await ask("SELECT name, setting FROM pg_catalog.pg_settings WHERE name = 'max_index_keys'")).length).toBe(1);
      expect((await ask("SELECT word FROM pg_catalog.pg_get_keywords() WHERE word <> ALL ('{a,abs,absolute,action}'::text[])")).length).toBeGreaterThan(100);
      // DBeaver's namespace and table listing
      const namespaces = await ask(
        "SELECT n.oid, n.*, d.description FROM pg_catalog.pg_namespace n LEFT OUTER JOIN pg_catalog.pg_description d ON d.objoid = n.oid AND d.objsubid = 0 AND d.classoid = 'pg_namespace'::regclass ORDER BY nspname",
      );
      expect(namespaces.map((n) => n.nspname)).toContain('public');
      // Metabase's column sync
      const columns = await ask(
        `SELECT c.column_name AS name, c.udt_name AS database_type, c.ordinal_position - 1 AS database_position, c.table_schema AS table_schema, c.table_name AS table_name,
                pk.column_name IS NOT NULL AS pk, COL_DESCRIPTION(CAST(CAST(FORMAT('%I.%I', CAST(c.table_schema AS TEXT), CAST(c.table_name AS TEXT)) AS REGCLASS) AS OID), c.ordinal_position) AS field_comment
           FROM information_schema.columns AS c
           LEFT JOIN (SELECT tc.table_schema, tc.table_name, kc.column_name FROM information_schema.table_constraints AS tc
                      INNER JOIN information_schema.key_column_usage AS kc ON tc.constraint_name = kc.constraint_name AND tc.table_schema = kc.table_schema AND tc.table_name = kc.table_name
                      WHERE tc.constraint_type = 'PRIMARY KEY') AS pk
             ON c.table_schema = pk.table_schema AND c.table_name = pk.table_name AND c.column_name = pk.column_name
          WHERE c.table_schema = $1 AND c.table_name = $2 ORDER BY c.ordinal_position`,
        ['public', 'orders'],
      );
      expect(columns.map((c) => `${c.name}:${c.database_type}`)).toEqual([
        'shard_id:text',
        'sequence_number:text',
        'sub_sequence_number:int8',
        'partition_key:text',
        'arrival_time:timestamptz',
        'data:bytea',
        'payload:json',
        'source:text',
      ]);
      // nothing in the mirror can be changed
      await expect(client.query('CREATE TABLE pg_x (a int)')).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('WITH x AS (DELETE FROM pg_catalog.pg_namespace RETURNING 1) SELECT count(*) FROM x')).rejects.toMatchObject({ code: '42501' });
      expect((await ask('SELECT count(*)::int AS n FROM pg_catalog.pg_namespace')).at(0)?.n).toBeGreaterThan(2);
      await expect(client.query("SELECT pg_read_file('/etc/passwd')")).rejects.toMatchObject({ code: '42501' });
      await expect(client.query("WITH x AS (DELETE FROM pg_catalog.pg_class RETURNING 1) SELECT set_config('role', 'x', false)")).rejects.toMatchObject({ code: '42501' });
      // catalog statements never reach the query path
      expect(backend.seen.length).toBe(before);
    } finally {
      await client.end();
    }
  }, 60_000);

  it('shows a limited token only its streams', async () => {
    const client = await connect(LIMITED);
    try {
      const tables = await client.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
      expect(tables.rows).toEqual([{ table_name: 'orders' }]);
      const all = await connect();
      expect((await all.query("SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname = 'public'")).rows).toEqual([{ n: 2 }]);
      await all.end();
    } finally {
      await client.end();
    }
  }, 60_000);
});

/** Sends raw bytes and collects everything the server answers until it closes the connection. */
function exchange(toPort: number, bytes: Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(toPort, '127.0.0.1');
    const got: Buffer[] = [];
    socket.on('data', (c) => got.push(c));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(got)));
    socket.on('connect', () => {
      for (const b of bytes) socket.write(b);
    });
  });
}

const startupPacket = (params: Record<string, string>) => {
  const body = Buffer.concat([Buffer.from([0, 3, 0, 0]), ...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)), Buffer.from([0])]);
  const head = Buffer.alloc(4);
  head.writeInt32BE(body.length + 4);
  return Buffer.concat([head, body]);
};

const errorCode = (answer: Buffer) => /C([0-9A-Z]{5})\0/.exec(answer.toString('latin1'))?.[1];

describe('PgServer before authentication', () => {
  it('refuses to listen beyond loopback without TLS unless FLUX_PG_ALLOW_PLAINTEXT is set', async () => {
    const open = new PgServer(backend, { port: 0, host: '0.0.0.0' });
    await expect(open.listen()).rejects.toThrow(/FLUX_PG_ALLOW_PLAINTEXT/);
    const allowed = new PgServer(backend, { port: 0, host: '0.0.0.0', allowPlaintext: true });
    expect(await allowed.listen()).toBeGreaterThan(0);
    await allowed.close();
  });

  it('refuses a start-up packet over 10,000 bytes without waiting for its bytes (08P01)', async () => {
    const head = Buffer.alloc(8);
    head.writeInt32BE(50_000_000);
    head.writeInt32BE(196608, 4);
    const answer = await exchange(port, [head]);
    expect(errorCode(answer)).toBe('08P01');
  });

  it('refuses a password message over 4 KiB (08P01)', async () => {
    const password = Buffer.alloc(5);
    password.write('p');
    password.writeInt32BE(1_000_000, 1);
    const answer = await exchange(port, [startupPacket({ user: 'flux' }), password]);
    expect(errorCode(answer)).toBe('08P01');
  });

  it('closes a connection that does not authenticate in time', async () => {
    const slow = new PgServer(backend, { port: 0, host: '127.0.0.1', authTimeoutMs: 300 });
    const slowPort = await slow.listen();
    try {
      // says nothing at all: the connection is closed by the server
      const answer = await exchange(slowPort, []);
      expect(answer.length).toBe(0);
    } finally {
      await slow.close();
    }
  });

  it('refuses connections over the per-address cap with 53300', async () => {
    const capped = new PgServer(backend, { port: 0, host: '127.0.0.1', maxConnectionsPerAddress: 2 });
    const cappedPort = await capped.listen();
    const held = [await connectTo(cappedPort), await connectTo(cappedPort)];
    try {
      await expect(connectTo(cappedPort)).rejects.toMatchObject({ code: '53300' });
      await held[0].end();
      // a freed slot is taken again (once the server has seen that connection close)
      let again: Client | undefined;
      for (let attempt = 0; !again && attempt < 100; attempt++) {
        again = await connectTo(cappedPort).catch(async (err: { code?: string }) => {
          if (err.code !== '53300') throw err;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return undefined;
        });
      }
      expect(again).toBeDefined();
      await again?.end();
    } finally {
      await Promise.all(held.slice(1).map((c) => c.end()));
      await capped.close();
    }
  }, 60_000);

  it.runIf(HAS_OPENSSL)('closes the connection when bytes follow an SSLRequest before the handshake (CVE-2021-23214)', async () => {
    const ssl = Buffer.alloc(8);
    ssl.writeInt32BE(8);
    ssl.writeInt32BE(80877103, 4);
    const answer = await exchange(port, [Buffer.concat([ssl, startupPacket({ user: 'flux' })])]);
    expect(answer.subarray(0, 1).toString()).not.toBe('S');
    expect(errorCode(answer)).toBe('08P01');
  });
});

async function connectTo(toPort: number): Promise<Client> {
  const client = new Client({ host: '127.0.0.1', port: toPort, user: 'flux', database: 'flux', password: TOKEN });
  await client.connect();
  return client;
}
