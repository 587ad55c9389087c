import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { MessageContracts } from '@flux-capacitor/contracts';
import {
  createTestDatabase,
  getStack,
  receiveDeadLetters,
  registerArchiveObjects,
  startServiceProcess,
  testEnvironment,
  type ServiceProcess,
  type TestDatabase,
  writeSyntheticArchive,
} from '@flux-capacitor/testing';

const TOKEN = 'bad-input-token-0123456789abcdef';

/** A pass-through proxy in front of Kinesis that keeps every request body, so a test can see what reached Kinesis. */
async function recordingProxy(target: string): Promise<{ url: string; bodies: string[]; close: () => Promise<void> }> {
  const upstream = new URL(target);
  const bodies: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      bodies.push(body.toString('utf8'));
      const out = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let db: TestDatabase;
let root: string;
let gateway: ServiceProcess;
let env: Record<string, string>;
let kinesis: Awaited<ReturnType<typeof recordingProxy>>;

const call = (method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body,
  });
const problem = async (res: Response) => ({ status: res.status, ...((await res.json()) as { code: string; detail: string }) });
const query = (sql: string) => call('POST', '/v1/query', JSON.stringify({ sql }));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-bad-input-'));
  mkdirSync(join(root, 'archive'));
  db = await createTestDatabase();
  kinesis = await recordingProxy(getStack().kinesis);
  env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:query`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    AWS_ENDPOINT_URL_KINESIS: kinesis.url,
  });
  gateway = await startServiceProcess('query-gateway', env);
});

afterAll(async () => {
  await gateway?.stop();
  await kinesis?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('query gateway: bad input gets a clear 4xx and changes nothing', () => {
  it('answers malformed JSON with 400 MALFORMED_JSON naming the parse error', async () => {
    for (const path of ['/v1/query', '/v1/queries']) {
      const res = await problem(await call('POST', path, '{"sql": "SELECT 1"'));
      expect(res).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
      expect(res.detail).toMatch(/^the request body is not valid JSON: .*JSON/);
    }
  });

  it('answers a megabyte of SQL with 413 naming the body limit, and SQL over 100000 characters with 400', async () => {
    const mega = await problem(await query(`SELECT '${'x'.repeat(1024 * 1024)}'`));
    expect(mega).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(mega.detail).toContain('limit of 262144 bytes (FLUX_API_MAX_BODY_BYTES)');
    const long = await problem(await query(`SELECT '${'x'.repeat(150_000)}'`));
    expect(long).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect(long.detail).toContain('sql is longer than 100000 characters');
  });

  it('refuses a file path or an invalid stream name with 400 before anything reaches Kinesis', async () => {
    const before = kinesis.bodies.length;
    for (const sql of ["SELECT * FROM '/etc/passwd'", 'SELECT * FROM "../../etc/shadow"', `SELECT * FROM "${'s'.repeat(129)}"`]) {
      const res = await problem(await query(sql));
      expect(res).toMatchObject({ status: 400, code: 'QUERY_REJECTED' });
      expect(res.detail).toMatch(/is not a stream name|reads a file/);
      expect(res.detail).not.toMatch(/StreamName|ValidationException|Kinesis' /);
    }
    expect(kinesis.bodies.slice(before).filter((b) => b.includes('etc/') || b.includes('sss'))).toEqual([]);
  });

  it.each([
    ['duckdb_settings()', 'SELECT * FROM duckdb_settings()'],
    ['current_setting', "SELECT current_setting('temp_directory') AS t"],
    ['getenv', "SELECT getenv('DATABASE_URL') AS t"],
    ['duckdb_extensions()', 'SELECT * FROM duckdb_extensions()'],
    ['duckdb_databases()', 'SELECT * FROM duckdb_databases()'],
    ['pragma_database_list', 'SELECT * FROM pragma_database_list'],
    ['information_schema', 'SELECT * FROM information_schema.views'],
    ['read_text', "SELECT * FROM read_text('/proc/self/environ')"],
  ])("cannot read the gateway's own settings or paths through %s", async (_name, sql) => {
    const res = await call('POST', '/v1/query', JSON.stringify({ sql }));
    const text = await res.text();
    expect(res.status).toBe(400);
    expect(JSON.parse(text)).toMatchObject({ code: 'QUERY_REJECTED' });
    expect(text).not.toContain(root);
    expect(text).not.toContain(db.url);
  });

  it('answers absurd paging parameters and invalid ids with 400, and an unknown id with 404', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const qs of ['limit=-1', 'limit=0', 'limit=1000000000', 'limit=abc', 'limit=1.5', 'cursor=-5', 'cursor=abc', 'cursor=99999999999999999999', 'format=xml']) {
      const res = await problem(await call('GET', `/v1/queries/${unknown}/results?${qs}`));
      expect(res, qs).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    }
    for (const id of ['not-a-uuid', '1', "'; DROP TABLE x; --"]) {
      expect((await call('GET', `/v1/queries/${encodeURIComponent(id)}`)).status, id).toBe(400);
      expect((await call('DELETE', `/v1/queries/${encodeURIComponent(id)}`)).status, id).toBe(400);
    }
    expect(await problem(await call('GET', `/v1/queries/${unknown}`))).toMatchObject({ status: 404, code: 'QUERY_NOT_FOUND' });
  });

  it('dead-letters poison catalog events with their reason and keeps consuming', async () => {
    const config = loadConfig(env);
    const sqs = createSqsClient(config.aws);
    const queue = `${config.sqs.queuePrefix}query-gateway`;
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    const poison = {
      'malformed-json': '<xml/>',
      'invalid-payload': JSON.stringify({
        id: randomUUID(),
        type: 'catalog.partition.added',
        version: MessageContracts['catalog.partition.added'].version,
        correlationId: 'poison',
        occurredAt: new Date().toISOString(),
        producer: 'test',
        payload: { stream: '/etc/passwd', dt: 'yesterday', hour: -1 },
      }),
    };
    try {
      for (const body of Object.values(poison)) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      const dead = await receiveDeadLetters(sqs, queue, 2);
      expect(Object.fromEntries(dead.map((m) => [m.reason, m.body]))).toEqual(poison);
      expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
    } finally {
      sqs.destroy();
    }
  });

  it('fails a query over a truncated archive object naming the object, and answers the next query', async () => {
    const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: 'damaged', shards: 1, recordsPerShardHour: 20, hours: 3, startMs: Date.UTC(2026, 10, 1) });
    await registerArchiveObjects(db.url, objects);
    const broken = objects[1];
    writeFileSync(broken.path, readFileSync(broken.path).subarray(0, 64));

    const res = await problem(await query('SELECT count(*) AS n FROM damaged'));
    expect(res).toMatchObject({ status: 503, code: 'ARCHIVE_OBJECT_UNREADABLE' });
    expect(res.detail).toContain(`archive object ${broken.uri} cannot be read`);
    const spared = await query(`SELECT count(*) AS n FROM damaged WHERE arrival_time <= TIMESTAMPTZ '${objects[0].lastArrivalTime.toISOString()}'`);
    expect(spared.status, await spared.clone().text()).toBe(200);
    expect(((await spared.json()) as { rows: { n: number }[] }).rows).toEqual([{ n: 20 }]);
    expect((await fetch(`${gateway.url}/health`)).status).toBe(200);
  });

  it('leaves no query work behind and still answers a good query afterwards', async () => {
    const runs = join(root, 'work', 'runs');
    // Files, not folders: the instance of a query that succeeded stays idle for the next query over the same
    // objects, with its emptied folder.
    const leftover = () => {
      try {
        return readdirSync(runs, { recursive: true, withFileTypes: true })
          .filter((e) => !e.isDirectory())
          .map((e) => join(e.parentPath, e.name));
      } catch {
        return [];
      }
    };
    expect(leftover()).toEqual([]);
    const res = await query('SELECT 42 AS answer');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([{ answer: 42 }]);
  });
});
