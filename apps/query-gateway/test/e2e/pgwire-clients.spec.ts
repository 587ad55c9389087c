import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import Cursor from 'pg-cursor';
import { ADMIN_TOKEN, ALL_TOKEN, ARCHIVED, LIMITED_TOKEN, PRODUCED, REPLAY_ONLY_TOKEN, startPgWireFixture, type PgWireFixture } from '../support/pgwire-fixture';

/**
 * The PostgreSQL endpoint of a real query-gateway process, used by clients written by others: psql, node-postgres
 * (with pg-cursor) and psycopg2. Each lists the streams, reads records archived and live, is refused hostile SQL and
 * a stream its token lacks, and cancels a long query.
 */

const PSQL = '/usr/bin/psql';
const LONG_QUERY = 'SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3';
const LIVE = PRODUCED - ARCHIVED;

let fx: PgWireFixture;

beforeAll(async () => {
  fx = await startPgWireFixture();
}, 300_000);

afterAll(async () => {
  await fx?.close();
});

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function psql(token: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(PSQL, ['-X', '-v', 'ON_ERROR_STOP=1', '-v', 'VERBOSITY=verbose', '-d', fx.url(token), ...args], { env: { PATH: process.env.PATH ?? '' }, timeout: 120_000 }, (err, stdout, stderr) =>
      done({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function connect(token: string): Promise<Client> {
  const client = new Client({ connectionString: fx.url(token) });
  await client.connect();
  return client;
}

if (!existsSync(PSQL)) console.warn(`psql tests skipped: ${PSQL} is missing (apt-get install postgresql-client)`);

const codeOf = (p: Promise<unknown>) => p.then(() => 'no error', (err: { code?: string }) => err.code);

describe.runIf(existsSync(PSQL))('psql', () => {
  it('\\dt lists the streams; \\d shows a stream table with PostgreSQL types', async () => {
    const dt = await psql(ALL_TOKEN, ['-c', '\\dt']);
    expect(dt.stderr).toBe('');
    expect(dt.stdout).toContain(fx.orders);
    expect(dt.stdout).toContain(fx.secret);
    const d = await psql(ALL_TOKEN, ['-c', `\\d "${fx.orders}"`]);
    expect(d.stderr).toBe('');
    expect(d.stdout).toMatch(/arrival_time\s*\|\s*timestamp with time zone/);
    expect(d.stdout).toMatch(/data\s*\|\s*bytea/);
    expect(d.stdout).toMatch(/payload\s*\|\s*json/);
    expect(d.stdout).toMatch(/sub_sequence_number\s*\|\s*bigint/);
  });

  it('queries archived and live records, each once', async () => {
    const run = await psql(ALL_TOKEN, ['-A', '-t', '-c', `SELECT source, count(*), count(DISTINCT sequence_number) FROM "${fx.orders}" GROUP BY source ORDER BY source`]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([`archive|${ARCHIVED}|${ARCHIVED}`, `live|${LIVE}|${LIVE}`]);
    const typed = await psql(ALL_TOKEN, ['-A', '-t', '-c', `SELECT payload->>'orderId', data, arrival_time FROM "${fx.orders}" WHERE partition_key = 'customer-2'`]);
    const [orderId, data, arrival] = typed.stdout.trim().split('|');
    expect(orderId).toBe('2');
    expect(Buffer.from(data.replace(/^\\x/, ''), 'hex').toString()).toBe(JSON.stringify({ orderId: 2, amount: 20 }));
    expect(arrival).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00$/);
  });

  it('answers version(), current_schema(), SET and SHOW as tools expect', async () => {
    const run = await psql(ALL_TOKEN, ['-A', '-t', '-c', 'SELECT version()', '-c', 'SET application_name = \'dbeaver\'', '-c', 'SHOW application_name', '-c', 'SELECT current_schema()']);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^PostgreSQL \d+/);
    expect(run.stdout).toContain('dbeaver');
    expect(run.stdout).toContain('public');
  });

  it('refuses hostile SQL and a stream the token lacks with SQLSTATE 42501; a wrong password with 28P01', async () => {
    const hostile = await psql(ALL_TOKEN, ['-c', "SELECT * FROM read_text('/etc/passwd')"]);
    expect(hostile.status).not.toBe(0);
    expect(hostile.stderr).toContain('ERROR:  42501');
    const syntax = await psql(ALL_TOKEN, ['-c', 'SELEC 1']);
    expect(syntax.stderr).toContain('ERROR:  42601');
    const forbidden = await psql(LIMITED_TOKEN, ['-c', `SELECT count(*) FROM "${fx.secret}"`]);
    expect(forbidden.stderr).toContain('ERROR:  42501');
    expect(forbidden.stderr).toContain(fx.secret);
    // the limited token sees only its stream in the catalog
    const dt = await psql(LIMITED_TOKEN, ['-c', '\\dt']);
    expect(dt.stdout).toContain(fx.orders);
    expect(dt.stdout).not.toContain(fx.secret);
    const wrong = await psql('not-a-token', ['-c', 'SELECT 1']);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain('password authentication failed');
    const noRole = await psql(REPLAY_ONLY_TOKEN, ['-c', 'SELECT 1']);
    expect(noRole.stderr).toContain('password authentication failed');
  });

  it('takes an admin token, which stands for every role as on HTTP', async () => {
    const run = await psql(ADMIN_TOKEN, ['-A', '-t', '-c', `SELECT count(*) > 0 FROM "${fx.orders}"`]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('t');
  });

  it('Ctrl-C (SIGINT) cancels a long query with 57014', async () => {
    const child = spawn(PSQL, ['-X', '-v', 'VERBOSITY=verbose', '-d', fx.url(ALL_TOKEN), '-c', LONG_QUERY], { env: { PATH: process.env.PATH ?? '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    // let the gateway start it, then interrupt as a user pressing Ctrl-C
    await new Promise((r) => setTimeout(r, 3000));
    child.kill('SIGINT');
    expect(await exited).not.toBe(0);
    expect(stderr).toContain('57014');
    expect(stderr).toContain('canceling statement due to user request');
  });
});

describe('node-postgres', () => {
  it('runs parameterised and named statements over archived and live records, with PostgreSQL types', async () => {
    const client = await connect(ALL_TOKEN);
    try {
      const one = await client.query(`SELECT partition_key, payload, data, arrival_time, sub_sequence_number, source FROM "${fx.orders}" WHERE partition_key = $1`, ['customer-3']);
      expect(one.rows).toHaveLength(1);
      expect(one.rows[0]).toMatchObject({ partition_key: 'customer-3', payload: { orderId: 3, amount: 30 }, sub_sequence_number: '0', source: 'archive' });
      expect(Buffer.isBuffer(one.rows[0].data)).toBe(true);
      expect(one.rows[0].arrival_time).toBeInstanceOf(Date);
      expect(one.fields.map((f) => f.dataTypeID)).toEqual([25, 114, 17, 1184, 20, 25]);
      const named = { name: 'by-source', text: `SELECT count(*)::INTEGER AS n FROM "${fx.orders}" WHERE source = $1` };
      expect((await client.query({ ...named, values: ['live'] })).rows).toEqual([{ n: PRODUCED - ARCHIVED }]);
      expect((await client.query({ ...named, values: ['archive'] })).rows).toEqual([{ n: ARCHIVED }]);
      // as DBeaver and Metabase qualify stream tables
      expect((await client.query(`SELECT count(*)::INTEGER AS n FROM "public"."${fx.orders}" AS o WHERE o.source = 'live'`)).rows).toEqual([{ n: LIVE }]);
      // binary results, as pgJDBC asks for them
      const binaryQuery = { text: `SELECT sub_sequence_number, arrival_time, data, true AS ok, 7::INTEGER AS i FROM "${fx.orders}" WHERE partition_key = $1`, values: ['customer-9'], binary: true };
      const binary = await client.query(binaryQuery as { text: string; values: string[] });
      expect(binary.rows[0]).toMatchObject({ sub_sequence_number: '0', ok: true, i: 7 });
      expect(binary.rows[0].arrival_time).toBeInstanceOf(Date);
      const tables = await client.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, ['public']);
      expect(tables.rows.map((r) => r.table_name)).toEqual([fx.orders, fx.secret].sort());
      const cols = await client.query(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [fx.orders]);
      expect(cols.rows).toContainEqual({ column_name: 'payload', data_type: 'json' });
    } finally {
      await client.end();
    }
  });

  it('reads 100,000 rows through a cursor, a page at a time', async () => {
    const client = await connect(ALL_TOKEN);
    try {
      const cursor = client.query(new Cursor(`SELECT i, 'row ' || i AS label FROM range($1::BIGINT) t(i) ORDER BY i`, ['100000']));
      let seen = 0;
      let pages = 0;
      for (;;) {
        const rows = (await cursor.read(7000)) as { i: string; label: string }[];
        if (rows.length === 0) break;
        expect(rows[0]).toEqual({ i: String(seen), label: `row ${seen}` });
        seen += rows.length;
        pages++;
      }
      await cursor.close();
      expect(seen).toBe(100_000);
      expect(pages).toBe(Math.ceil(100_000 / 7000));
      // the connection is usable afterwards
      expect((await client.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    } finally {
      await client.end();
    }
  });

  it('refuses hostile SQL (42501), bad syntax (42601) and a stream the token lacks (42501); the session goes on', async () => {
    const client = await connect(ALL_TOKEN);
    const limited = await connect(LIMITED_TOKEN);
    try {
      expect(await codeOf(client.query("SELECT * FROM read_csv('/etc/passwd')"))).toBe('42501');
      expect(await codeOf(client.query('SELECT * FROM duckdb_settings()'))).toBe('42501');
      expect(await codeOf(client.query("COPY (SELECT 1) TO '/tmp/x.csv'"))).toBe('42501');
      expect(await codeOf(client.query('SELEC 1'))).toBe('42601');
      expect(await codeOf(client.query('SELECT $1::INTEGER', ['x']))).not.toBe('no error');
      expect(await codeOf(limited.query(`SELECT count(*) FROM "${fx.secret}"`))).toBe('42501');
      expect(await codeOf(limited.query(`SELECT count(*) FROM "${fx.orders}" JOIN "${fx.secret}" USING (shard_id)`))).toBe('42501');
      expect((await limited.query(`SELECT count(*)::INTEGER AS n FROM "${fx.orders}"`)).rows).toEqual([{ n: PRODUCED }]);
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      await expect(connect('wrong-token')).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await client.end();
      await limited.end();
    }
  });

  it("admits one token's statements fairly: past its queue share it gets 53300, and a disconnect cancels its statement", async () => {
    // the gateway's defaults: one running and ten queued statements per token
    const clients = await Promise.all(Array.from({ length: 12 }, () => connect(LIMITED_TOKEN)));
    const other = await connect(ALL_TOKEN);
    try {
      const outcomes = clients.map((c) => codeOf(c.query(`SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3 AND i > (SELECT count(*) FROM "${fx.orders}")`)));
      // the first to settle is the one past the share (the others run or wait until they are cancelled)
      const settled = await Promise.race(outcomes.map((o, i) => o.then((code) => ({ i, code }))));
      expect(settled.code).toBe('53300');
      // another token is not held up by this one's queue
      expect((await other.query(`SELECT count(*)::INTEGER AS n FROM "${fx.orders}"`)).rows).toEqual([{ n: PRODUCED }]);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
      await other.end();
    }
    // the disconnects cancelled the running and queued statements: the token can run again
    const again = await connect(LIMITED_TOKEN);
    try {
      await vi.waitFor(async () => expect((await again.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]), { timeout: 30_000, interval: 500 });
    } finally {
      await again.end();
    }
  }, 120_000);

  it('cancels a long query (CancelRequest) with 57014', async () => {
    const client = await connect(ALL_TOKEN);
    try {
      const running = codeOf(client.query(LONG_QUERY));
      await new Promise((r) => setTimeout(r, 2000));
      const canceller = new Client({ connectionString: fx.url(ALL_TOKEN) });
      (canceller as unknown as { cancel(c: Client, q: unknown): void }).cancel(client, (client as unknown as { activeQuery: unknown }).activeQuery);
      expect(await running).toBe('57014');
      expect((await client.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await client.end();
    }
  });
});

// pgJDBC (DBeaver, DataGrip, Metabase): where a JDK and the driver's jar are at hand (FLUX_PGJDBC_JAR or ~/.m2)
const PGJDBC_JAR = process.env.FLUX_PGJDBC_JAR ?? join(homedir(), '.m2/repository/org/postgresql/postgresql/42.7.13/postgresql-42.7.13.jar');
const HAS_PGJDBC = existsSync(PGJDBC_JAR) && spawnSync('java', ['-version']).status === 0;
if (!HAS_PGJDBC) console.warn(`pgJDBC tests skipped: no java, or no driver jar at ${PGJDBC_JAR} (set FLUX_PGJDBC_JAR)`);

describe.runIf(HAS_PGJDBC)('pgJDBC', () => {
  it('browses the streams through JDBC metadata, runs a prepared statement past prepareThreshold (binary) and a fetch-size cursor', async () => {
    const run = await new Promise<Run>((done) =>
      execFile('java', ['-cp', PGJDBC_JAR, join(__dirname, '../support/PgJdbcSmoke.java'), '127.0.0.1', String(fx.pgPort), ALL_TOKEN, fx.orders], { timeout: 180_000 }, (err, stdout, stderr) =>
        done({ status: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(run.stderr).toBe('');
    const out = Object.fromEntries(run.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
    expect(out.product).toMatch(/^PostgreSQL /);
    expect(out.tables.split(',').filter(Boolean).sort()).toEqual([fx.orders, fx.secret].sort());
    expect(out.columns).toContain('arrival_time:timestamptz');
    expect(out.columns).toContain('data:bytea');
    expect(out.columns).toContain('payload:json');
    expect(out.schemas).toContain('public');
    for (let i = 0; i < 7; i++) expect(out[`row${i}`]).toBe(`customer-${i}|0|true|{"orderId":${i},"amount":${i * 10}}|{"orderId":${i},"amount":${i * 10}}`);
    expect(out.cursor).toBe(`100000|${(99_999 * 100_000) / 2}`);
    expect(out.hostile).toBe('42501');
    expect(run.status).toBe(0);
  });
});

// Debian's python3-psycopg2 is for the system python; a python3 earlier on PATH (pyenv) may lack it
const PYTHON = ['python3', '/usr/bin/python3'].find((bin) => spawnSync(bin, ['-c', 'import psycopg2']).status === 0);
const HAS_PSYCOPG2 = PYTHON !== undefined;
if (!HAS_PSYCOPG2) console.warn('psycopg2 tests skipped: no python3 with psycopg2 (apt-get install python3-psycopg2)');

describe.runIf(HAS_PSYCOPG2)('psycopg2', () => {
  it('lists streams, reads archived and live records, pages a named cursor, is refused hostile SQL and a stream its token lacks, cancels', async () => {
    const script = join(__dirname, '../support/pgwire_client.py');
    const run = await new Promise<Run>((done) =>
      execFile(PYTHON!, [script, fx.url(ALL_TOKEN), fx.url(LIMITED_TOKEN), fx.orders, fx.secret], { timeout: 120_000 }, (err, stdout, stderr) =>
        done({ status: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(run.stderr).toBe('');
    const steps = Object.fromEntries(run.stdout.trim().split('\n').map((l) => { const s = JSON.parse(l) as { step: string } & Record<string, unknown>; return [s.step, s]; }));
    expect(steps.tables).toMatchObject({ names: [fx.orders, fx.secret].sort() });
    expect(String(steps.version.version)).toMatch(/^PostgreSQL \d+/);
    expect(steps.counts).toMatchObject({ rows: [['archive', ARCHIVED], ['live', LIVE]] });
    expect(steps.types).toMatchObject({ payload: { orderId: 0, amount: 0 }, data: JSON.stringify({ orderId: 0, amount: 0 }), tz: 'UTC' });
    expect(steps.hostile).toMatchObject({ code: '42501' });
    expect(steps.named_cursor).toMatchObject({ rows: 100_000, sum: (99_999 * 100_000) / 2 });
    expect(steps.forbidden).toMatchObject({ code: '42501' });
    expect(steps.limited_tables).toMatchObject({ names: [fx.orders] });
    expect(steps.cancel).toMatchObject({ code: '57014' });
    expect(steps.after_cancel).toMatchObject({ one: 1 });
    expect(run.status).toBe(0);
  });
});
