import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { freePort } from '@flux-capacitor/local-stack';
import {
  createStream,
  createTestDatabase,
  putInOrder,
  registerArchiveObjects,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeSyntheticArchive,
  type ServiceProcess,
  type TestDatabase,
} from '@flux-capacitor/testing';

/**
 * fluxcap as a client of the real services: the query gateway and the catalog run as processes (as `fluxcap dev`
 * starts them), and every test runs the real CLI process against them with FLUX_*_URL and a token.
 */

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const ALL_TOKEN = 'client-all-streams-token-0123456789';
const LIMITED_TOKEN = 'client-orders-only-token-0123456789';
/** runs until cancelled (or the gateway's timeout) */
const ENDLESS = 'SELECT count(*) AS n FROM range(100000000000)';

let db: TestDatabase;
let root: string;
let env: Record<string, string>;
let kinesis: KinesisClient;
let gateway: ServiceProcess;
let catalog: ServiceProcess;
let archiver: ServiceProcess;
const orders = uniqueName('orders');
const payments = uniqueName('payments');
const produced = uniqueName('produced');
const followed = uniqueName('followed');
const archived = uniqueName('archived');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Starts fluxcap in its own process group (so a signal reaches it as Ctrl-C in a terminal would). */
function start(extraEnv: Record<string, string>, args: string[], input?: string): { child: ChildProcess; done: Promise<Run>; output: () => Run } {
  const child = spawn(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env, ...extraEnv }, detached: true });
  const run: Run = { status: null, stdout: '', stderr: '' };
  child.stdout?.on('data', (d: Buffer) => (run.stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (run.stderr += d.toString()));
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  const done = new Promise<Run>((settle) => child.on('close', (status) => settle({ ...run, status })));
  return { child, done, output: () => run };
}

const fluxcap = (extraEnv: Record<string, string>, args: string[], input?: string) => start(extraEnv, args, input).done;
const viaGateway = (token = ALL_TOKEN) => ({ FLUX_QUERY_URL: gateway.url, FLUX_API_TOKEN: token });
const viaCatalog = (token = ALL_TOKEN) => ({ FLUX_CATALOG_URL: catalog.url, FLUX_API_TOKEN: token });

async function api<T>(method: string, path: string): Promise<T> {
  const res = await fetch(`${gateway.url}${path}`, { method, headers: { authorization: `Bearer ${ALL_TOKEN}` } });
  return (await res.json()) as T;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cli-client-'));
  mkdirSync(join(root, 'archive'));
  db = await createTestDatabase();
  env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL_TOKEN}:query+replay,${LIMITED_TOKEN}:query@${orders}`,
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  for (const stream of [orders, payments]) {
    await registerArchiveObjects(db.url, await writeSyntheticArchive({ directory: join(root, 'archive'), stream, shards: 1, recordsPerShardHour: 4, hours: 2, startMs: Date.UTC(2026, 10, 30, 10) }));
  }
  await createStream(kinesis, archived, 2);
  await createStream(kinesis, followed, 2);
  [gateway, catalog, archiver] = await Promise.all([
    startServiceProcess('query-gateway', { ...env, FLUX_QUERY_WORK_DIR: join(root, 'gateway') }, 120_000),
    startServiceProcess('catalog', env, 120_000),
    startServiceProcess('archiver', { ...env, FLUX_ARCHIVER_STREAMS: archived, FLUX_BUFFER_INTERVAL_SECONDS: '1', FLUX_LEASE_HEARTBEAT_SECONDS: '1', FLUX_LEASE_DURATION_SECONDS: '5' }, 120_000),
  ]);
}, 300_000);

afterAll(async () => {
  for (const service of [gateway, catalog, archiver]) await service?.stop();
  for (const stream of [produced, followed, archived]) await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('fluxcap as a polite command line', () => {
  it('prints its version from package.json', async () => {
    const run = await fluxcap({}, ['--version']);
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe((JSON.parse(readFileSync(join(ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string }).version);
  }, 60_000);

  it('exits 2 on usage errors (unknown option, missing argument, bad value) and 1 with one readable line on other failures', async () => {
    for (const args of [['query', 'SELECT 1', '--bogus'], ['catalog', 'schema'], ['tail', '--stream', 'x', '--from', 'yesterday-ish'], ['produce', '--stream', 'x', '--count', '0']]) {
      const run = await fluxcap({}, args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/^error: /);
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await fluxcap({ FLUX_QUERY_URL: closed, FLUX_API_TOKEN: ALL_TOKEN }, ['query', 'SELECT 1']);
    expect(unreachable.status).toBe(1);
    expect(unreachable.stderr).toBe(`fluxcap: query gateway unreachable at ${closed}: ECONNREFUSED\n`);
    // the stack only when asked for
    const verbose = await fluxcap({ FLUX_QUERY_URL: closed, FLUX_API_TOKEN: ALL_TOKEN }, ['query', 'SELECT 1', '--verbose']);
    expect(verbose.status).toBe(1);
    expect(verbose.stderr.split('\n')[0]).toBe(`fluxcap: query gateway unreachable at ${closed}: ECONNREFUSED`);
    expect(verbose.stderr).toMatch(/\n\s+at /);
  }, 120_000);
});

describe('fluxcap produce and query through the gateway', () => {
  it('puts NDJSON from stdin keyed by a JSON field, and reads it back through the gateway', async () => {
    const lines = [
      { customer: 'c-1', n: 1, type: 'order.created' },
      { customer: 'c-2', n: 2, type: 'order.created' },
      { customer: 'c-1', n: 3, type: 'order.paid' },
    ];
    // an empty line is skipped; the last line has no newline
    const put = await fluxcap({}, ['produce', '--stream', produced, '--key', 'customer', '--json'], `${JSON.stringify(lines[0])}\n\n${JSON.stringify(lines[1])}\r\n${JSON.stringify(lines[2])}`);
    expect(put.stderr).toBe('');
    expect(put.status).toBe(0);
    expect(JSON.parse(put.stdout)).toEqual({ stream: produced, created: true, records: 3 });

    const run = await fluxcap(viaGateway(), ['query', `SELECT partition_key AS k, payload->>'n' AS n, source FROM "${produced}" ORDER BY n`, '--json']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { k: 'c-1', n: '1', source: 'live' },
      { k: 'c-2', n: '2', source: 'live' },
      { k: 'c-1', n: '3', source: 'live' },
    ]);
  }, 180_000);

  it('refuses a line without the --key field, naming the line', async () => {
    const run = await fluxcap({}, ['produce', '--stream', produced, '--key', 'customer'], '{"customer":"c-9"}\n{"other":1}\n');
    expect(run.status).toBe(1);
    expect(run.stderr).toBe('fluxcap: line 2: no string or number at customer for the partition key\n');
  }, 120_000);

  it('reads the SQL from -f FILE and from stdin', async () => {
    const file = join(root, 'count.sql');
    writeFileSync(file, `-- how many\nSELECT count(*) AS n FROM "${orders}";\n`);
    const fromFile = await fluxcap(viaGateway(), ['query', '-f', file, '--json']);
    expect(fromFile.status).toBe(0);
    expect(JSON.parse(fromFile.stdout)).toEqual([{ n: 8 }]);
    const fromStdin = await fluxcap(viaGateway(), ['query', '--format', 'csv'], `SELECT count(*) AS n FROM "${orders}"\n`);
    expect(fromStdin.status).toBe(0);
    expect(fromStdin.stdout).toBe('n\r\n8\r\n');
  }, 120_000);

  it('Ctrl-C on a running query cancels it on the gateway and exits 130', async () => {
    const query = start(viaGateway(), ['query', ENDLESS]);
    let id: string | undefined;
    await vi.waitFor(
      async () => {
        const { items } = await api<{ items: { id: string; sql: string; state: string }[] }>('GET', '/v1/queries?limit=5');
        id = items.find((q) => q.sql === ENDLESS && q.state === 'running')?.id;
        expect(id).toBeDefined();
      },
      { timeout: 60_000, interval: 200 },
    );
    process.kill(-(query.child.pid as number), 'SIGINT');
    const run = await query.done;
    expect(run.status).toBe(130);
    expect(run.stderr).toBe(`fluxcap: query ${id} cancelled\n`);
    await vi.waitFor(async () => expect((await api<{ state: string }>('GET', `/v1/queries/${id}`)).state).toBe('cancelled'), { timeout: 30_000, interval: 200 });
  }, 180_000);
});

describe('fluxcap catalog over the catalog API', () => {
  it('lists streams, partitions and the schema (of a version) over HTTP', async () => {
    // the operator command infers the schema from the archive itself (direct database access)
    const rebuilt = await fluxcap({}, ['catalog', 'rebuild', '--stream', orders, '--json']);
    expect(rebuilt.status).toBe(0);

    const streams = await fluxcap({ ...viaCatalog(), DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unused' }, ['catalog', 'streams', '--json']);
    expect(streams.status).toBe(0);
    expect(JSON.parse(streams.stdout).streams.map((s: { name: string }) => s.name).sort()).toEqual([orders, payments].sort());

    const partitions = await fluxcap(viaCatalog(), ['catalog', 'partitions', '--stream', orders, '--from', '2026-11-30T11:00:00Z', '--json']);
    expect(partitions.status).toBe(0);
    expect(JSON.parse(partitions.stdout).partitions).toEqual([expect.objectContaining({ dt: '2026-11-30', hour: 11, recordCount: 4 })]);

    const schema = await fluxcap(viaCatalog(), ['catalog', 'schema', '--stream', orders, '--version', '1', '--json']);
    expect(schema.status).toBe(0);
    expect(JSON.parse(schema.stdout)).toMatchObject({ stream: orders, version: 1, format: 'json', versions: [expect.objectContaining({ version: 1 })] });
    const table = await fluxcap(viaCatalog(), ['catalog', 'schema', '--stream', orders]);
    expect(table.stdout).toMatch(new RegExp(`^${orders} schema version 1 \\(json\\)`));

    const missing = await fluxcap(viaCatalog(), ['catalog', 'schema', '--stream', orders, '--version', '9']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^fluxcap: catalog: HTTP 404: .*\n$/);
  }, 180_000);

  it('refuses a stream the token may not read: one line naming it, exit 1', async () => {
    const run = await fluxcap(viaCatalog(LIMITED_TOKEN), ['catalog', 'partitions', '--stream', payments]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`^fluxcap: catalog: HTTP 403: .*${payments}.*\\n$`));
    const listed = await fluxcap(viaCatalog(LIMITED_TOKEN), ['catalog', 'streams', '--json']);
    expect(JSON.parse(listed.stdout).streams.map((s: { name: string }) => s.name)).toEqual([orders]);
  }, 120_000);
});

describe('fluxcap tail', () => {
  it.each([
    ['through the gateway', () => viaGateway()],
    ['from Kinesis directly (no FLUX_QUERY_URL)', () => ({})],
  ])('%s: prints the records that arrive after its start, one payload per line, and stops after --count', async (_mode, settings) => {
    const base = Date.now();
    await putInOrder(kinesis, followed, [{ key: 'before', data: JSON.stringify({ seq: base }) }]);
    // a clear second between the earlier record and the start of the tail
    await new Promise((r) => setTimeout(r, 1500));
    const since = new Date().toISOString();
    const tail = start(settings(), ['tail', '--stream', followed, '--from', since, '--count', '10']);
    // ten keys, so every shard gets records (kinesalite stalls a read from a time past a shard's last record)
    await putInOrder(kinesis, followed, Array.from({ length: 10 }, (_, i) => ({ key: `k${i + 1}`, data: JSON.stringify({ seq: base + i + 1 }) })));
    const run = await tail.done;
    expect(run.status).toBe(0);
    expect(
      run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).seq - base)
        .sort((a, b) => a - b),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  }, 120_000);
});

describe('fluxcap tail until Ctrl-C', () => {
  it('follows with --json (full records) until Ctrl-C, then exits 0', async () => {
    const since = new Date().toISOString();
    const tail = start(viaGateway(), ['tail', '--stream', followed, '--from', since, '--json']);
    // Records on every shard: kinesalite stalls a GetRecords from a time past a shard's last record (AT_TIMESTAMP),
    // which the first read of each shard uses.
    await putInOrder(kinesis, followed, Array.from({ length: 10 }, (_, i) => ({ key: i === 0 ? 'ctrl-c' : `ctrl-c-${i}`, data: 'not json' })));
    await vi.waitFor(() => expect(tail.output().stdout, tail.output().stderr).toContain('"partitionKey":"ctrl-c"'), { timeout: 30_000, interval: 200 });
    process.kill(-(tail.child.pid as number), 'SIGINT');
    const run = await tail.done;
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const records = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.find((r) => r.partitionKey === 'ctrl-c')).toMatchObject({ payload: null, data: Buffer.from('not json').toString('base64') });
  }, 120_000);
});

describe('fluxcap status', () => {
  it("shows each service's health, the archiver's shards of each stream and the dead-letter queue depths", async () => {
    const services = { ...viaGateway(), ...viaCatalog(), FLUX_ARCHIVER_URL: archiver.url };
    type Report = {
      services: { service: string; status: string }[];
      streams: { stream: string; shards: { shardId: string; owner: string | null; atRisk: boolean }[] }[] | null;
      streamsError?: string;
      deadLetterQueues: { queue: string; messages: number | null }[];
    };
    let report: Report | undefined;
    // the archiver writes each shard's status with its lease heartbeat: wait until it owns both shards
    await vi.waitFor(
      async () => {
        const run = await fluxcap(services, ['status', '--json']);
        expect(run.status).toBe(0);
        report = JSON.parse(run.stdout) as Report;
        expect(report.streamsError).toBeUndefined();
        expect(report.streams?.[0]?.shards.filter((s) => s.owner !== null)).toHaveLength(2);
      },
      { timeout: 60_000, interval: 500 },
    );
    if (!report) throw new Error('no status');
    expect(report.streams).toEqual([{ stream: archived, retentionHours: expect.anything(), shards: expect.any(Array) }]);
    expect(report.streams?.[0].shards.map((s) => s.atRisk)).toEqual([false, false]);
    expect(report.services).toEqual([
      expect.objectContaining({ service: 'archiver', url: archiver.url, status: 'ok' }),
      expect.objectContaining({ service: 'catalog', url: catalog.url, status: 'ok' }),
      expect.objectContaining({ service: 'query-gateway', url: gateway.url, status: 'ok' }),
    ]);
    // the services created their queues at start: their dead-letter queues are empty
    expect(report.deadLetterQueues).toEqual(
      expect.arrayContaining([
        { queue: `${env.FLUX_SQS_QUEUE_PREFIX}catalog-dlq`, messages: 0 },
        { queue: `${env.FLUX_SQS_QUEUE_PREFIX}query-gateway-dlq`, messages: 0 },
      ]),
    );
    const human = await fluxcap(services, ['status']);
    expect(human.stdout).toMatch(/^service\s+url\s+health/);
    expect(human.stdout).toContain(`stream ${archived}: 2 shard(s)`);
    expect(human.stdout).toContain(`${env.FLUX_SQS_QUEUE_PREFIX}catalog-dlq`);
    // a service that does not answer: the whole report still, and exit 1 for scripts
    const down = await fluxcap({ ...services, FLUX_REPLAY_URL: 'http://127.0.0.1:1' }, ['status', '--json']);
    expect(down.status).toBe(1);
    expect((JSON.parse(down.stdout) as Report).services).toContainEqual(expect.objectContaining({ service: 'replay-coordinator', status: 'unreachable' }));
  }, 120_000);
});
