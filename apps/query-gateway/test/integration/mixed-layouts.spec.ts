import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { ParquetEngine, createArchiveStore, type ArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader, CatalogWriter } from '@flux-capacitor/archive-catalog';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { FluxServiceModule } from '@flux-capacitor/service-kit';
import { createTestDatabase, testEnvironment, uniqueName, writeArchiveObject, writeLayout1Object, type TestDatabase } from '@flux-capacitor/testing';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { DataSource } from 'typeorm';
import { QueryModule } from '../../src/query/query.module';

const TOKEN = 'query-token-0123456789abcdef';

let db: TestDatabase;
let ds: DataSource;
let app: INestApplication;
let base: string;
let root: string;
let kinesis: KinesisClient;
let store: ArchiveStore;
let engine: ParquetEngine;
let stream: string;
/** every record in Kinesis, by shard, in sequence order */
const produced = new Map<string, ArchiveRecord[]>();
const archived = new Set<string>();

async function readShard(shardId: string): Promise<ArchiveRecord[]> {
  const out: ArchiveRecord[] = [];
  let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  for (let i = 0; i < 5 && it; i++) {
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of res.Records ?? []) {
      out.push({
        stream,
        shardId,
        sequenceNumber: r.SequenceNumber!,
        subSequenceNumber: 0,
        partitionKey: r.PartitionKey!,
        explicitHashKey: null,
        arrivalTime: r.ApproximateArrivalTimestamp!.getTime(),
        data: r.Data!,
      });
    }
    it = res.NextShardIterator;
  }
  return out;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-gw-mixed-'));
  db = await createTestDatabase();
  ds = await createDataSource(db.url).initialize();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:query`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    FLUX_QUERY_SYNC_MAX_ROWS: '1000',
  });
  const config = loadConfig(env);
  kinesis = createKinesisClient(config.aws);
  store = createArchiveStore(config.archive);
  engine = await ParquetEngine.create({ threads: 1 });
  stream = uniqueName('mixed');
  await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: stream });
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: Array.from({ length: 40 }, (_, i) => ({ PartitionKey: `customer-${i}`, Data: Buffer.from(JSON.stringify({ orderId: i })) })),
    }),
  );
  const shards = ((await kinesis.send(new ListShardsCommand({ StreamName: stream }))).Shards ?? []).map((s) => s.ShardId!).sort();
  for (const shardId of shards) produced.set(shardId, await readShard(shardId));
  const [s0, s1] = shards.map((id) => produced.get(id)!);
  expect(s0.length).toBeGreaterThanOrEqual(8);
  expect(s1.length).toBeGreaterThanOrEqual(4);

  // An archiver before 0.9 wrote the first half of shard 0 as a layout-1 object. After the upgrade, a multi-shard
  // layout-2 object holds the last 2 of those records again (the old object's range re-read after a crash) and
  // continues shard 0, with the first half of shard 1. The rest of both shards is only in Kinesis.
  const half0 = Math.floor(s0.length / 2);
  const half1 = Math.floor(s1.length / 2);
  const writer = new CatalogWriter(ds);
  const old = s0.slice(0, half0);
  const multi = [...s0.slice(half0 - 2, half0 + 2), ...s1.slice(0, half1)];
  await writer.registerObject(await writeLayout1Object(store, old));
  await writer.registerObject(await writeArchiveObject(store, engine, multi));
  for (const r of [...old, ...multi]) archived.add(`${r.shardId}/${r.sequenceNumber}`);

  const moduleRef = await Test.createTestingModule({
    imports: [FluxServiceModule.forRoot({ service: 'query-gateway', dependencies: [], env }), QueryModule],
  }).compile();
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

describe('query gateway over an archive mixing layouts (local stack)', () => {
  it('catalogues the layout-1 object and the overlapping multi-shard object, and starts the live tail after both', async () => {
    const reader = new CatalogReader(ds);
    const objects = await reader.listObjects(stream);
    expect(objects.map((o) => [o.layout, o.shards.length]).sort()).toEqual([
      [1, 1],
      [2, 2],
    ]);
    const marks = await reader.shardHighWatermarks(stream);
    for (const [shardId, rs] of produced) {
      const last = rs.filter((r) => archived.has(`${shardId}/${r.sequenceNumber}`)).at(-1)!;
      expect(marks.get(shardId)).toBe(last.sequenceNumber);
    }
  });

  it('returns every record exactly once with its arrival time, whichever layout or the live tail holds it', async () => {
    const res = await fetch(`${base}/v1/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        sql: `SELECT shard_id, sequence_number, source, epoch_ms(arrival_time) AS arrival_ms, payload FROM "${stream}" ORDER BY shard_id, length(sequence_number), sequence_number`,
      }),
    });
    const body = (await res.json()) as { rows: Record<string, unknown>[]; rowCount: number };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const expected = [...produced.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .flatMap(([shardId, rs]) =>
        rs.map((r) => ({
          shard_id: shardId,
          sequence_number: r.sequenceNumber,
          source: archived.has(`${shardId}/${r.sequenceNumber}`) ? 'archive' : 'live',
          arrival_ms: r.arrivalTime,
          payload: JSON.parse(Buffer.from(r.data).toString('utf8')),
        })),
      );
    expect(body.rowCount).toBe(40);
    expect(body.rows).toEqual(expected);
  });
});
