import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateStreamCommand, DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { createKinesisClient } from '@flux-capacitor/aws';
import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { parseObjectKey } from '@flux-capacitor/archive';
import { createDataSource } from '@flux-capacitor/persistence';
import { QueryJobs } from '@flux-capacitor/query-engine';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { setupOpenApi } from '../../src/openapi';
import { QueryModule } from '../../src/query/query.module';

const QUERY_TOKEN = 'query-token-0123456789abcdef';
const REPLAY_TOKEN = 'replay-token-0123456789abcdef';
const OTHER_QUERY_TOKEN = 'other-query-token-0123456789abcdef';
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

interface Produced {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: Date;
  data: Buffer;
}

let db: TestDatabase;
let ds: DataSource;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
let stream: string;
const archived = new Set<string>();
let produced: Produced[] = [];

async function api(method: string, path: string, body?: unknown, token: string | null = QUERY_TOKEN, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  return res;
}

async function readShard(shardId: string): Promise<Produced[]> {
  const out: Produced[] = [];
  let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  for (let i = 0; i < 5 && it; i++) {
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of res.Records ?? []) {
      out.push({ shardId, sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, arrivalTime: r.ApproximateArrivalTimestamp!, data: Buffer.from(r.Data!) });
    }
    it = res.NextShardIterator;
  }
  return out;
}

/** Writes the records as one archive object, as the archiver would, and registers it in the catalog. */
async function archive(records: Produced[]): Promise<void> {
  const first = records[0];
  const last = records[records.length - 1];
  const iso = first.arrivalTime.toISOString();
  const dt = iso.slice(0, 10);
  const hour = Number(iso.slice(11, 13));
  const path = join(root, 'archive', stream, `dt=${dt}`, `hour=${String(hour).padStart(2, '0')}`, `${first.shardId}-${first.sequenceNumber}-${last.sequenceNumber}.parquet`);
  mkdirSync(dirname(path), { recursive: true });
  const duck = await DuckDBInstance.create(':memory:');
  const c = await duck.connect();
  await c.run(`CREATE TABLE r (stream VARCHAR, shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, explicit_hash_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`);
  const a = await c.createAppender('r');
  for (const r of records) {
    a.appendVarchar(stream);
    a.appendVarchar(r.shardId);
    a.appendVarchar(r.sequenceNumber);
    a.appendBigInt(0n);
    a.appendVarchar(r.partitionKey);
    a.appendNull();
    a.appendTimestamp(new DuckDBTimestampValue(BigInt(r.arrivalTime.getTime()) * 1000n));
    a.appendBlob(r.data);
    a.endRow();
    archived.add(r.sequenceNumber);
  }
  a.closeSync();
  await c.run(`COPY r TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  duck.closeSync();
  await new CatalogWriter(ds).registerObject(upgradeArchiveObjectWritten({
    objectUri: `file://${path}`,
    stream,
    shardId: first.shardId,
    firstSequenceNumber: first.sequenceNumber,
    lastSequenceNumber: last.sequenceNumber,
    firstArrivalTime: first.arrivalTime.toISOString(),
    lastArrivalTime: last.arrivalTime.toISOString(),
    dt,
    hour,
    recordCount: records.length,
    bytes: 1000,
  }));
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-gw-'));
  db = await createTestDatabase();
  ds = await createDataSource(db.url).initialize();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${QUERY_TOKEN}:query,${REPLAY_TOKEN}:replay,${OTHER_QUERY_TOKEN}:query,${ADMIN_TOKEN}:admin`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    FLUX_QUERY_SYNC_MAX_ROWS: '1000',
    FLUX_QUERY_MAX_CONCURRENT: '2',
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  stream = uniqueName('orders');
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: stream });
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: Array.from({ length: 24 }, (_, i) => ({
        PartitionKey: `customer-${i}`,
        Data: i % 6 === 5 ? Buffer.from([0xde, 0xad, 0xbe, 0xef, i]) : Buffer.from(JSON.stringify({ orderId: i, type: `t${i % 3}` })),
      })),
    }),
  );
  const shards = (await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? [];
  for (const shard of shards) {
    const records = await readShard(shard.ShardId!);
    produced.push(...records);
    // The archiver has caught up with the first half of each shard; the rest is only in Kinesis.
    const half = Math.floor(records.length / 2);
    if (half > 0) await archive(records.slice(0, half));
  }
  produced = produced.sort((a, b) => a.partitionKey.localeCompare(b.partitionKey));

  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule],
  }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  setupOpenApi(app);
  await app.listen(0, '127.0.0.1');
  base = await app.getUrl();
  base = base.replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  await ds?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('query gateway (local stack)', () => {
  it('returns every produced record exactly once, archived and live, with source telling them apart', async () => {
    expect(produced).toHaveLength(24);
    expect(archived.size).toBeGreaterThan(0);
    expect(archived.size).toBeLessThan(24);
    const res = await api('POST', '/v1/query', {
      sql: `SELECT partition_key, shard_id, sequence_number, source, data, payload FROM "${stream}" ORDER BY partition_key`,
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: Record<string, unknown>[]; rowCount: number };
    expect(body.rowCount).toBe(24);
    expect(body.rows).toEqual(
      produced.map((p) => ({
        partition_key: p.partitionKey,
        shard_id: p.shardId,
        sequence_number: p.sequenceNumber,
        source: archived.has(p.sequenceNumber) ? 'archive' : 'live',
        data: p.data.toString('base64'),
        payload: p.data[0] === 0x7b ? JSON.parse(p.data.toString('utf8')) : null,
      })),
    );
  });

  it('runs an asynchronous query: id, state with progress, then cursor-paged JSON results', async () => {
    const started = await api('POST', '/v1/queries', { sql: `SELECT partition_key FROM "${stream}" ORDER BY partition_key` });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    let status: { state: string; progress: { objectsTotal: number; liveRecords: number; bytesScanned: number } };
    do {
      status = (await (await api('GET', `/v1/queries/${id}`)).json()) as typeof status;
    } while (status.state === 'queued' || status.state === 'running');
    expect(status.state).toBe('succeeded');
    expect(status.progress.objectsTotal).toBeGreaterThan(0);
    // every fixture object is catalogued with 1000 bytes
    expect(status.progress.bytesScanned).toBe(1000 * status.progress.objectsTotal);
    expect(status.progress.liveRecords).toBe(24 - archived.size);
    const keys: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = (await (await api('GET', `/v1/queries/${id}/results?limit=10${cursor ? `&cursor=${cursor}` : ''}`)).json()) as { rows: { partition_key: string }[]; nextCursor: string | null };
      keys.push(...page.rows.map((r) => r.partition_key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(keys).toEqual(produced.map((p) => p.partitionKey));
  });

  it('streams results as NDJSON, CSV and Parquet', async () => {
    const started = await api('POST', '/v1/queries', { sql: `SELECT partition_key, source FROM "${stream}" ORDER BY partition_key LIMIT 3` });
    const { id } = (await started.json()) as { id: string };
    while (((await (await api('GET', `/v1/queries/${id}`)).json()) as { state: string }).state !== 'succeeded');
    const ndjson = await api('GET', `/v1/queries/${id}/results?format=ndjson`);
    expect(ndjson.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = (await ndjson.text()).trim().split('\n').map((l) => JSON.parse(l) as { partition_key: string });
    expect(lines.map((l) => l.partition_key)).toEqual(produced.slice(0, 3).map((p) => p.partitionKey));
    const csv = await (await api('GET', `/v1/queries/${id}/results`, undefined, QUERY_TOKEN, { accept: 'text/csv' })).text();
    expect(csv.split('\r\n')[0]).toBe('partition_key,source');
    expect(csv.split('\r\n')).toHaveLength(5);
    const parquet = Buffer.from(await (await api('GET', `/v1/queries/${id}/results?format=parquet`)).arrayBuffer());
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
  });

  it('answers 401 without a token and 403 for a token without the query role', async () => {
    expect((await api('POST', '/v1/query', { sql: 'SELECT 1' }, null)).status).toBe(401);
    expect((await api('POST', '/v1/query', { sql: 'SELECT 1' }, REPLAY_TOKEN)).status).toBe(403);
    expect((await api('GET', '/v1/queries/00000000-0000-4000-8000-000000000000', undefined, REPLAY_TOKEN)).status).toBe(403);
  });

  it.each([
    ['reading /etc/passwd', "SELECT * FROM read_csv('/etc/passwd')"],
    ['reading /etc/passwd as text', "SELECT content FROM read_text('/etc/passwd')"],
    ['ATTACH', "ATTACH '__TARGET__' AS pwned"],
    ['COPY ... TO', "COPY (SELECT 1) TO '__TARGET__'"],
    ['INSTALL', 'INSTALL httpfs'],
    ['SET', 'SET enable_external_access = true'],
    ['multiple statements', "SELECT 1; COPY (SELECT 1) TO '__TARGET__'"],
  ])('refuses %s with 400 and leaves nothing behind', async (_name, template) => {
    const target = join(root, `pwned-${Math.random().toString(36).slice(2)}`);
    const before = readdirSync(join(root, 'work', 'runs'));
    for (const path of ['/v1/query', '/v1/queries']) {
      const res = await api('POST', path, { sql: template.replace('__TARGET__', target) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as { code: string; detail: string };
      expect(body.code).toBe('QUERY_REJECTED');
      expect(body.detail).not.toContain('root:');
      expect(existsSync(target)).toBe(false);
    }
    expect(readdirSync(join(root, 'work', 'runs'))).toEqual(before);
  });

  it("answers a syntax error with 400, DuckDB's message and the position", async () => {
    const res = await api('POST', '/v1/query', { sql: `SELECT * FROM "${stream}" WHER 1` });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { status: number; code: string; detail: string; details: { position: number } };
    expect(body).toMatchObject({ status: 400, code: 'QUERY_SYNTAX', type: 'urn:flux-capacitor:problem:invalid-input', instance: '/v1/query' });
    expect(body.detail).toMatch(/syntax error at or near "1"/);
    expect(body.details.position).toBe(`SELECT * FROM "${stream}" WHER `.length);
  });

  it('refuses a request body or query string that fails its schema with 400 INVALID_REQUEST, naming the field', async () => {
    const noSql = await api('POST', '/v1/query', { engine: 'duckdb' });
    expect(noSql.status).toBe(400);
    expect(await noSql.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(/^sql: /), instance: '/v1/query' });
    const badFormat = await api('POST', '/v1/query?format=xml', { sql: 'SELECT 1' });
    expect(badFormat.status).toBe(400);
    expect(await badFormat.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(/^format: /) });
    const unknown = await api('GET', '/v1/queries/00000000-0000-4000-8000-000000000000/results?limit=0');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(/^limit: /) });
  });

  it('cancels a running query with DELETE', async () => {
    const started = await api('POST', '/v1/queries', { sql: 'SELECT count(*) FROM range(100000000000)' });
    const { id } = (await started.json()) as { id: string };
    expect((await api('DELETE', `/v1/queries/${id}`)).status).toBe(200);
    let state: string;
    do state = ((await (await api('GET', `/v1/queries/${id}`)).json()) as { state: string }).state;
    while (state === 'queued' || state === 'running');
    expect(state).toBe('cancelled');
    expect((await api('GET', `/v1/queries/${id}/results`)).status).toBe(409);
  });

  async function finished(id: string, token = QUERY_TOKEN): Promise<{ state: string }> {
    let status: { state: string };
    do status = (await (await api('GET', `/v1/queries/${id}`, undefined, token)).json()) as { state: string };
    while (status.state === 'queued' || status.state === 'running');
    return status;
  }

  it('keeps the result in the archive store under _results/<id>/, where no archive reader takes it for archive data, until DELETE releases it', async () => {
    const { id } = (await (await api('POST', '/v1/queries', { sql: `SELECT partition_key FROM "${stream}" ORDER BY partition_key` })).json()) as { id: string };
    expect((await finished(id)).state).toBe('succeeded');
    const folder = join(root, 'archive', '_results', id);
    expect(readdirSync(folder).sort()).toEqual(['part-00000.ndjson', 'result.parquet']);
    for (const name of readdirSync(folder)) expect(parseObjectKey(`_results/${id}/${name}`)).toBeNull();
    const row = (await ds.query(`SELECT state, owner, result_parts, row_count FROM query_job WHERE id = $1`, [id])) as Record<string, unknown>[];
    expect(row).toEqual([{ state: 'succeeded', owner: expect.stringMatching(/^token:/), result_parts: 1, row_count: '24' }]);
    // DELETE of a finished query releases the stored result at once for readers; the objects stay for a minute
    // (a reader on another replica may be streaming them), then the sweeper deletes them with the query.
    expect((await api('DELETE', `/v1/queries/${id}`)).status).toBe(200);
    expect(readdirSync(folder).sort()).toEqual(['part-00000.ndjson', 'result.parquet']);
    expect(((await (await api('GET', `/v1/queries/${id}`)).json()) as { state: string }).state).toBe('succeeded');
    const released = await api('GET', `/v1/queries/${id}/results`);
    expect(released.status).toBe(404);
    expect(await released.json()).toMatchObject({ code: 'QUERY_RESULT_RELEASED' });
    const [{ grace }] = (await ds.query(`SELECT extract(epoch FROM expires_at - now()) AS grace FROM query_job WHERE id = $1`, [id])) as { grace: string }[];
    expect(Number(grace)).toBeGreaterThan(0);
    expect(Number(grace)).toBeLessThanOrEqual(60);
    await app.get(QueryJobs).sweep();
    expect(readdirSync(folder)).not.toEqual([]); // not yet expired
    await ds.query(`UPDATE query_job SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    await app.get(QueryJobs).sweep();
    expect(existsSync(folder) ? readdirSync(folder) : []).toEqual([]);
    expect((await api('GET', `/v1/queries/${id}/results`)).status).toBe(404);
  });

  it('sweeps a query and its stored result once its time is up', async () => {
    const { id } = (await (await api('POST', '/v1/queries', { sql: 'SELECT 42 AS answer' })).json()) as { id: string };
    expect((await finished(id)).state).toBe('succeeded');
    expect(readdirSync(join(root, 'archive', '_results', id))).not.toEqual([]);
    await ds.query(`UPDATE query_job SET expires_at = now() - interval '1 second' WHERE id = $1`, [id]);
    await app.get(QueryJobs).sweep();
    expect(await ds.query(`SELECT id FROM query_job WHERE id = $1`, [id])).toEqual([]);
    expect(readdirSync(join(root, 'archive', '_results', id))).toEqual([]);
    expect((await api('GET', `/v1/queries/${id}/results`)).status).toBe(404);
  });

  it("lists the caller's own queries, newest first, with state, duration, rows and bytes scanned, page by page", async () => {
    const mine: string[] = [];
    for (const sql of [`SELECT count(*) AS n FROM "${stream}"`, 'SELECT 1 AS one', 'SELECT * FROM range(3)']) {
      const { id } = (await (await api('POST', '/v1/queries', { sql })).json()) as { id: string };
      await finished(id);
      mine.unshift(id);
    }
    const { id: theirs } = (await (await api('POST', '/v1/queries', { sql: 'SELECT 2 AS two' }, OTHER_QUERY_TOKEN)).json()) as { id: string };
    await finished(theirs, OTHER_QUERY_TOKEN);

    type Page = { items: { id: string; state: string; durationMs: number; rowCount: number; rowsScanned: number; bytesScanned: number; sql: string }[]; nextCursor: string | null };
    const seen: Page['items'] = [];
    let cursor: string | null = null;
    do {
      const res = await api('GET', `/v1/queries?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page;
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    const ids = seen.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).not.toContain(theirs);
    expect(ids.slice(0, 3)).toEqual(mine);
    expect(seen[2]).toMatchObject({ state: 'succeeded', rowCount: 1, sql: `SELECT count(*) AS n FROM "${stream}"` });
    expect(seen[2].bytesScanned).toBeGreaterThan(0);
    expect(seen[2].durationMs).toBeGreaterThanOrEqual(0);
    expect(seen[1]).toMatchObject({ rowCount: 1, bytesScanned: 0 });
    const other = (await (await api('GET', '/v1/queries', undefined, OTHER_QUERY_TOKEN)).json()) as Page;
    expect(other.items.map((i) => i.id)).toEqual([theirs]);
  });

  it("answers another token's query as not found, by id, for status, results and DELETE; an admin token sees it", async () => {
    const { id } = (await (await api('POST', '/v1/queries', { sql: 'SELECT 7 AS seven' })).json()) as { id: string };
    await finished(id);
    for (const [method, path] of [['GET', `/v1/queries/${id}`], ['GET', `/v1/queries/${id}/results`], ['DELETE', `/v1/queries/${id}`]] as const) {
      const res = await api(method, path, undefined, OTHER_QUERY_TOKEN);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('QUERY_NOT_FOUND');
    }
    const asAdmin = await api('GET', `/v1/queries/${id}/results`, undefined, ADMIN_TOKEN);
    expect(asAdmin.status).toBe(200);
    expect(((await asAdmin.json()) as { rows: unknown[] }).rows).toEqual([{ seven: 7 }]);
    expect((await api('GET', `/v1/queries/${id}/results`)).status).toBe(200);
  });

  it.each([
    ['limit=0', /^limit: /],
    ['limit=100000', /^limit: /],
    ['limit=abc', /^limit: /],
    ['cursor=not-a-cursor', /^cursor: /],
    [`cursor=${Buffer.from(JSON.stringify({ submittedAt: 'yesterday', id: 'x' })).toString('base64url')}`, /^cursor: /],
    [`cursor=${'A'.repeat(5000)}`, /^cursor: /],
  ])('refuses GET /v1/queries?%s with 400 naming the parameter', async (query, detail) => {
    const res = await api('GET', `/v1/queries?${query}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'INVALID_REQUEST', detail: expect.stringMatching(detail) });
  });

  it('serves the OpenAPI document at /docs', async () => {
    const res = await fetch(`${base}/docs-json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/queries', '/v1/queries/{id}', '/v1/queries/{id}/results', '/v1/query']));
    expect(Object.keys(doc.paths['/v1/queries'] as object).sort()).toEqual(['get', 'post']);
  });
});
