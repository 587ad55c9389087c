import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { ParquetEngine, createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import {
  createTestDatabase,
  records,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeArchiveObject,
  type TestDatabase,
} from '@flux-capacitor/testing';

const TOKEN = 'catalog-e2e-token-0123456789';

describe('catalog service (process, local stack)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('catalogues archive.object.written from SQS once, announces catalog.partition.added, and serves /v1/streams', async () => {
    const bucket = uniqueName('flux-cat-e2e');
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_API_TOKENS: `${TOKEN}:query`,
      LOG_LEVEL: 'info',
    });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    const sqs = createSqsClient(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = createArchiveStore(config.archive, s3);
    const engine = await ParquetEngine.create({ threads: 1 });
    const publisher = new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' });

    const catalog = await startServiceProcess('catalog', env);
    const get = (path: string, token: string | null = TOKEN) =>
      fetch(`${catalog.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    try {
      const msg = await writeArchiveObject(
        store,
        engine,
        records('orders', 'shardId-000000000000', 1000n, '2026-11-25T09:15:00.000Z', [{ id: 1, amount: 5 }, { id: 2, amount: 7.5, vip: true }]),
      );
      // the archiver retries: the same object is announced twice under two message ids
      await publisher.publish('archive.object.written', msg);
      await publisher.publish('archive.object.written', msg);

      const streams = await vi.waitFor(
        async () => {
          const body = (await (await get('/v1/streams')).json()) as { streams: { name: string; objectCount: number; schemaVersion: number | null }[] };
          if (!body.streams.find((s) => s.name === 'orders' && s.schemaVersion !== null)) throw new Error('the stream is not in /v1/streams yet');
          return body.streams;
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(streams).toEqual([
        expect.objectContaining({ name: 'orders', format: 'json', objectCount: 1, recordCount: 2, partitionCount: 1, schemaVersion: 1 }),
      ]);

      const partitions = (await (await get('/v1/streams/orders/partitions?from=2026-11-25T09:00:00Z&to=2026-11-25T09:59:59Z')).json()) as { partitions: unknown[] };
      expect(partitions.partitions).toEqual([
        expect.objectContaining({ dt: '2026-11-25', hour: 9, location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=09`, objectCount: 1, recordCount: 2 }),
      ]);
      expect(((await (await get('/v1/streams/orders/partitions?from=2026-11-25T10:00:00Z')).json()) as { partitions: unknown[] }).partitions).toEqual([]);

      const schema = (await (await get('/v1/streams/orders/schema')).json()) as { fields: { path: string; types: string[]; nullable: boolean }[] };
      expect(schema.fields.map((f) => [f.path, f.types, f.nullable])).toEqual([
        ['amount', ['integer', 'number'], false],
        ['id', ['integer'], false],
        ['vip', ['boolean'], true],
      ]);

      expect((await get('/v1/streams/nope/schema')).status).toBe(404);
      expect((await get('/v1/streams/orders/partitions?from=yesterday')).status).toBe(400);
      expect((await get('/v1/streams', null)).status).toBe(401);
      const openapi = (await (await fetch(`${catalog.url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/v1/streams', '/v1/streams/{stream}/partitions', '/v1/streams/{stream}/schema']),
      );

      // exactly one catalog.partition.added reached the query gateway's queue
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}query-gateway` }));
      const bodies: { type: string; payload: unknown }[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        bodies.push(...(r.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}')));
      }
      expect(bodies.map((b) => [b.type, b.payload])).toEqual([
        ['catalog.partition.added', { stream: 'orders', dt: '2026-11-25', hour: 9, location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=09` }],
      ]);

      expect(await catalog.stop()).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- catalog logs ---\n${catalog.logs().slice(-4000)}`, { cause: err });
    } finally {
      if (catalog.child.exitCode === null) catalog.child.kill('SIGKILL');
      engine.close();
      s3.destroy();
      sqs.destroy();
    }
  });
});
