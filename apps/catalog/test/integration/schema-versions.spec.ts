import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError, createFluxClient, unwrap, type FluxClient } from '@flux-capacitor/api-client';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import { CatalogModule } from '../../src/catalog/catalog.module';

const TOKEN = 'schema-versions-token-0123456789';
const LIMITED = 'schema-versions-limited-0123456789';

let db: TestDatabase;
let app: INestApplication;
let root: string;
let client: FluxClient;
let limited: FluxClient;
const orders = uniqueName('orders');

const field = (path: string, types: string[]) => ({ path, types, nullable: false, firstSeen: '2026-11-30T10:00:00.000Z', lastSeen: '2026-11-30T11:00:00.000Z' });

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cat-schema-'));
  db = await createTestDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(`INSERT INTO catalog_stream (name, format) VALUES ($1, 'json')`, [orders]);
  // Version 2 added a field: what the console shows as the schema's history.
  for (const [version, fields] of [[1, [field('id', ['integer'])]], [2, [field('id', ['integer']), field('region', ['string'])]]] as const) {
    await pg.query(
      `INSERT INTO catalog_schema_version (stream, version, format, fields, fingerprint, first_seen, last_seen) VALUES ($1, $2, 'json', $3, $4, $5, $6)`,
      [orders, version, JSON.stringify(fields), `fp${version}`, `2026-11-30T1${version - 1}:00:00Z`, `2026-11-30T1${version}:00:00Z`],
    );
  }
  await pg.end();
  const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${root}`, FLUX_API_TOKENS: `${TOKEN}:query,${LIMITED}:query@someone-else` });
  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: [], env }), CatalogModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  client = createFluxClient({ urls: { catalog: url }, token: TOKEN });
  limited = createFluxClient({ urls: { catalog: url }, token: LIMITED });
});

afterAll(async () => {
  await app?.close();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

const schema = (version?: number | string, c = client) =>
  unwrap(c.catalog.GET('/v1/streams/{stream}/schema', { params: { path: { stream: orders }, query: version === undefined ? {} : { version: version as number } } }));
const failure = (call: Promise<unknown>) => call.then(() => undefined, (e: unknown) => e as ApiError);

describe('GET /v1/streams/:stream/schema?version=N', () => {
  it('answers the latest version without ?version, and version N with it, each with every version listed', async () => {
    const latest = await schema();
    expect(latest).toMatchObject({ stream: orders, version: 2, format: 'json' });
    expect(latest.fields.map((f) => f.path)).toEqual(['id', 'region']);
    const v1 = await schema(1);
    expect(v1).toMatchObject({ version: 1, firstSeen: '2026-11-30T10:00:00.000Z', lastSeen: '2026-11-30T11:00:00.000Z' });
    expect(v1.fields.map((f) => f.path)).toEqual(['id']);
    expect(v1.versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it('answers 404 SCHEMA_VERSION_NOT_FOUND for a version the stream does not have', async () => {
    expect(await failure(schema(3))).toMatchObject({ status: 404, code: 'SCHEMA_VERSION_NOT_FOUND', problem: { details: { stream: orders, version: 3 } } });
  });

  it.each(['0', '-1', 'two', '1.5', '99999999999'])('refuses version=%s with 400 naming the parameter', async (version) => {
    const err = await failure(schema(version));
    expect(err).toMatchObject({ status: 400, code: 'INVALID_REQUEST' });
    expect((err as ApiError).detail).toMatch(/^version: must be a schema version number/);
  });

  it('answers 403 to a token limited to other streams, whatever the version', async () => {
    expect(await failure(schema(1, limited))).toMatchObject({ status: 403, code: 'STREAM_FORBIDDEN' });
  });
});
