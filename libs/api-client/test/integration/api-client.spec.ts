import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, createFluxClient, unwrap } from '@flux-capacitor/api-client';
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

const TOKEN = 'api-client-all-token-0123456789';
const LIMITED = 'api-client-limited-token-0123456789';

let db: TestDatabase;
let root: string;
const services: ServiceProcess[] = [];
let urls: { catalog: string; query: string; replay: string; archiver: string };
const orders = uniqueName('orders');
const other = uniqueName('other');

/** The rejection of a call, which must be an ApiError. */
async function apiErrorFrom(call: Promise<unknown>): Promise<ApiError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return err as ApiError;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-api-client-'));
  db = await createTestDatabase();
  const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: orders, shards: 2, recordsPerShardHour: 5, hours: 1, startMs: Date.parse('2026-11-30T10:00:00Z') });
  await registerArchiveObjects(db.url, objects);
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:query+replay,${LIMITED}:query@${other}`,
    FLUX_QUERY_LIVE: 'false',
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    FLUX_ARCHIVER_TEMP_DIR: join(root, 'archiver-tmp'),
  });
  const kinesis = createKinesisClient(loadConfig(env).aws);
  await createStream(kinesis, orders, 1);
  kinesis.destroy();
  const [catalog, query, replay, archiver] = await Promise.all([
    startServiceProcess('catalog', env),
    startServiceProcess('query-gateway', env),
    startServiceProcess('replay-coordinator', env),
    startServiceProcess('archiver', env),
  ]);
  services.push(catalog, query, replay, archiver);
  urls = { catalog: catalog.url, query: query.url, replay: replay.url, archiver: archiver.url };
});

afterAll(async () => {
  await Promise.all(services.map((s) => s.stop()));
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('api-client against the running services', () => {
  it('reads the catalog with typed answers', async () => {
    const client = createFluxClient({ urls, token: TOKEN });
    const { streams } = await unwrap(client.catalog.GET('/v1/streams'));
    const summary = streams.find((s) => s.name === orders);
    expect(summary).toMatchObject({ name: orders, recordCount: 10, partitionCount: 1 });
    // Dates arrive as the ISO strings the schema documents.
    expect(Date.parse(summary?.firstArrivalTime ?? '')).toBeGreaterThanOrEqual(Date.parse('2026-11-30T10:00:00Z'));
    const { partitions } = await unwrap(client.catalog.GET('/v1/streams/{stream}/partitions', { params: { path: { stream: orders } } }));
    expect(partitions.map((p) => [p.dt, p.hour, p.recordCount])).toEqual([['2026-11-30', 10, 10]]);
  });

  it('runs a query synchronously and asynchronously on the gateway', async () => {
    const client = createFluxClient({ urls, token: () => TOKEN });
    const sync = await unwrap(client.query.POST('/v1/query', { body: { sql: `SELECT count(*) AS n FROM "${orders}"` } }));
    expect(sync.rows).toEqual([{ n: 10 }]);
    const started = await unwrap(client.query.POST('/v1/queries', { body: { sql: `SELECT shard_id FROM "${orders}" LIMIT 1` } }));
    expect(started.links.self).toBe(`/v1/queries/${started.id}`);
    const status = await unwrap(client.query.GET('/v1/queries/{id}', { params: { path: { id: started.id } } }));
    expect(status.id).toBe(started.id);
    const history = await unwrap(client.query.GET('/v1/queries', { params: { query: { limit: 5 } } }));
    expect(history.items.map((q) => q.id)).toContain(started.id);
  });

  it("follows a stream's tail on the gateway with the cursor", async () => {
    const client = createFluxClient({ urls, token: TOKEN });
    const start = await unwrap(client.query.GET('/v1/streams/{stream}/tail', { params: { path: { stream: orders }, query: { from: 'latest' } } }));
    expect(start.records).toEqual([]);
    const kinesis = createKinesisClient(loadConfig(testEnvironment()).aws);
    await putInOrder(kinesis, orders, [{ key: 'k1', data: JSON.stringify({ id: 1 }) }]);
    kinesis.destroy();
    const next = await unwrap(client.query.GET('/v1/streams/{stream}/tail', { params: { path: { stream: orders }, query: { cursor: start.cursor, limit: 10 } } }));
    expect(next.records.map((r) => [r.partitionKey, r.payload])).toEqual([['k1', { id: 1 }]]);
  });

  it("reads the archiver's status API", async () => {
    const client = createFluxClient({ urls, token: TOKEN });
    expect(await unwrap(client.archiver.GET('/v1/streams'))).toEqual({ streams: [] });
    const missing = await apiErrorFrom(unwrap(client.archiver.GET('/v1/streams/{stream}/shards', { params: { path: { stream: orders } } })));
    expect(missing).toMatchObject({ status: 404, code: 'STREAM_NOT_ARCHIVED' });
  });

  it('lists replays on the coordinator', async () => {
    const client = createFluxClient({ urls, token: TOKEN });
    const page = await unwrap(client.replay.GET('/v1/replays', {}));
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('turns problem details into ApiErrors with status, code, detail and a one-line message', async () => {
    const client = createFluxClient({ urls, token: TOKEN });
    const missing = await apiErrorFrom(unwrap(client.catalog.GET('/v1/streams/{stream}/partitions', { params: { path: { stream: 'no-such-stream' } } })));
    expect(missing).toMatchObject({ status: 404, code: 'STREAM_NOT_FOUND' });
    expect(missing.detail).toContain('no-such-stream');
    expect(missing.message).toBe(`STREAM_NOT_FOUND: ${missing.detail} (HTTP 404)`);

    const bad = await apiErrorFrom(unwrap(client.query.POST('/v1/query', { body: { sql: 'DROP TABLE x' } })));
    expect(bad.status).toBe(400);
    expect(bad.message).not.toContain('\n');

    const limited = createFluxClient({ urls, token: LIMITED });
    expect(await apiErrorFrom(unwrap(limited.catalog.GET('/v1/streams/{stream}/partitions', { params: { path: { stream: orders } } })))).toMatchObject({
      status: 403,
      code: 'STREAM_FORBIDDEN',
    });
    expect(await apiErrorFrom(unwrap(createFluxClient({ urls, token: 'wrong-token-0123456789' }).catalog.GET('/v1/streams')))).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  });

  it('reports a service without a URL and one that does not answer as ApiErrors with status 0', async () => {
    const client = createFluxClient({ urls: { catalog: `http://127.0.0.1:${await freePort()}` }, token: TOKEN });
    expect(client.configured).toEqual({ query: false, catalog: true, replay: false, archiver: false });
    expect(await apiErrorFrom(unwrap(client.archiver.GET('/health')))).toMatchObject({ status: 0, code: 'SERVICE_NOT_CONFIGURED' });
    expect(await apiErrorFrom(unwrap(client.catalog.GET('/v1/streams')))).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
  });
});
