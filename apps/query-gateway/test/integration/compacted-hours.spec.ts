import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteStreamCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ParquetEngine, archiveFieldColumns, createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader, CatalogWriter, HourCompactor } from '@flux-capacitor/archive-catalog';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createStream, createTestDatabase, readStream, testEnvironment, uniqueName, writeArchiveObject, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { QueryModule } from '../../src/query/query.module';

const TOKEN = 'query-token-0123456789abcdef';
const FIELDS = archiveFieldColumns([['customer'], ['amount'], ['address', 'city']]);

let db: TestDatabase;
let ds: DataSource;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
let store: ArchiveStore;
let engine: ParquetEngine;
let stream: string;
let archivedUris: string[];

async function query(sql: string): Promise<{ columns: unknown; rows: unknown[] }> {
  const res = await fetch(`${base}/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    body: JSON.stringify({ sql }),
  });
  const body = (await res.json()) as { columns: unknown; rows: unknown[] };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return { columns: body.columns, rows: body.rows };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-gw-compacted-'));
  db = await createTestDatabase();
  ds = await createDataSource(db.url).initialize();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:query`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
  });
  const config = loadConfig(env);
  kinesis = createKinesisClient(config.aws);
  store = createArchiveStore(config.archive);
  engine = await ParquetEngine.create({ threads: 1 });
  stream = uniqueName('compacted');
  await createStream(kinesis, stream, 2);
  // JSON of several shapes (a nested field present or not, integers and decimals), a record that is no JSON, and keys
  // spread so that each is in every object.
  const bodies = Array.from({ length: 60 }, (_, i) =>
    i % 13 === 5 ? `plain text ${i}` : JSON.stringify({ customer: `c-${i % 6}`, amount: i % 4 === 0 ? i + 0.25 : i, ...(i % 3 === 0 ? { address: { city: `city-${i % 2}` } } : {}) }),
  );
  await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: bodies.map((b, i) => ({ PartitionKey: `customer-${i % 6}`, Data: Buffer.from(b) })) }));
  const read = await readStream(kinesis, stream);
  const shards = [...new Set(read.map((r) => r.shardId))].sort();
  const produced: ArchiveRecord[][] = shards.map((id) =>
    read
      .filter((r) => r.shardId === id)
      .map((r) => ({ stream, shardId: id, sequenceNumber: r.sequenceNumber, subSequenceNumber: 0, partitionKey: r.partitionKey, explicitHashKey: null, arrivalTime: r.arrivalTime, data: r.data })),
  );
  expect(produced.flat().length).toBe(60);
  // Three objects in append order across both shards, as an archiver writes them (the last one without field
  // columns); the last 3 records of each shard stay in Kinesis only: the live tail.
  const archived = produced.map((rs) => rs.slice(0, rs.length - 3));
  const thirds = [0, 1, 2].map((k) => archived.flatMap((rs) => rs.slice(Math.floor((rs.length * k) / 3), Math.floor((rs.length * (k + 1)) / 3))));
  const writer = new CatalogWriter(ds);
  archivedUris = [];
  for (const [k, rs] of thirds.entries()) {
    const o = await writeArchiveObject(store, engine, rs, { fields: k < 2 ? FIELDS : [] });
    await writer.registerObject(o);
    archivedUris.push(o.objectUri);
  }

  const moduleRef = await Test.createTestingModule({ imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
  engine?.close();
  await kinesis?.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  await ds?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('query gateway over compacted hours (local stack)', () => {
  it('answers every query the same before and after the hour is compacted, the live tail included', async () => {
    const statements = [
      `SELECT shard_id, sequence_number, source, partition_key, epoch_ms(arrival_time) AS t, data, payload FROM "${stream}" ORDER BY shard_id, length(sequence_number), sequence_number`,
      `SELECT shard_id, sequence_number, payload FROM "${stream}" WHERE partition_key = 'customer-4' ORDER BY shard_id, sequence_number`,
      `SELECT payload->>'customer' AS customer, count(*) AS n, sum(TRY_CAST(payload->>'amount' AS DOUBLE)) AS amount FROM "${stream}" GROUP BY ALL ORDER BY 1 NULLS FIRST`,
      `SELECT json_extract_string(payload, '$.address.city') AS city, count(*) FROM "${stream}" GROUP BY 1 ORDER BY 1 NULLS FIRST`,
      `SELECT count(*), count(payload), count(DISTINCT partition_key), min(sequence_number), max(arrival_time) FROM "${stream}"`,
      `SELECT source, count(*) FROM "${stream}" GROUP BY 1 ORDER BY 1`,
    ];
    const before = [];
    for (const sql of statements) before.push(await query(sql));
    expect((before[0].rows as unknown[]).length).toBe(60);

    const reader = new CatalogReader(ds);
    const compactor = new HourCompactor({
      reader,
      writer: new CatalogWriter(ds),
      store,
      threads: 1,
      // three hours from now: this hour has closed and settled
      now: () => new Date(Date.now() + 3 * 3_600_000),
      config: { settleMs: 3_600_000, graceMs: 86_400_000, maxInputBytes: 512 * 1024 * 1024, memoryBytes: 128 * 1024 * 1024, tempDir: root },
    });
    const report = await compactor.compactStream(stream);
    // (one object, or one per hour when the records straddle an hour's end)
    expect(report).toMatchObject({ replaced: 3, records: 54 });
    const live = await reader.listObjects(stream);
    expect(live.length).toBe(report.written);
    for (const o of live) {
      expect(archivedUris).not.toContain(o.uri);
      expect(o.fields.map((f) => f.column).sort()).toEqual(FIELDS.map((f) => f.column).sort());
    }

    for (const [i, sql] of statements.entries()) expect(await query(sql), sql).toEqual(before[i]);
  });
});
