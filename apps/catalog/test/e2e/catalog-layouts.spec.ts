import { randomUUID } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ParquetEngine, createArchiveStore } from '@flux-capacitor/archive';
import { CatalogReader } from '@flux-capacitor/archive-catalog';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, records, startServiceProcess, testEnvironment, uniqueName, writeArchiveObject, writeLayout1Object, type TestDatabase } from '@flux-capacitor/testing';

describe('catalog service: both announcement versions and object layouts (process, local stack)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('catalogues a version-2 multi-shard announcement and a version-1 one of an archiver before 0.9', async () => {
    const bucket = uniqueName('flux-cat-layouts');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/archive`, LOG_LEVEL: 'info' });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    const sqs = createSqsClient(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = createArchiveStore(config.archive, s3);
    const engine = await ParquetEngine.create({ threads: 1 });
    const ds = await createDataSource(db.url).initialize();
    const catalog = await startServiceProcess('catalog', env);
    try {
      const multi = await writeArchiveObject(store, engine, [
        ...records('orders', 'shardId-000000000000', 10n, '2026-11-25T09:00:00.000Z', [{ id: 1 }, { id: 2 }]),
        ...records('orders', 'shardId-000000000001', 20n, '2026-11-25T09:00:00.500Z', [{ id: 3 }]),
      ]);
      await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' }).publish('archive.object.written', multi);

      // An archiver of the previous release, still running during the upgrade, sends version 1.
      const old = await writeLayout1Object(store, records('orders', 'shardId-000000000002', 5n, '2026-11-25T08:00:00.000Z', [{ id: 4 }, { id: 5 }]));
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}catalog` }));
      const id = randomUUID();
      const envelope = { id, type: 'archive.object.written', version: 1, correlationId: id, occurredAt: new Date().toISOString(), producer: 'archiver', payload: old };
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(envelope) }));

      const reader = new CatalogReader(ds);
      const objects = await vi.waitFor(
        async () => {
          const listed = await reader.listObjects('orders');
          if (listed.length < 2) throw new Error(`${listed.length} of 2 objects catalogued`);
          return listed;
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(objects.map((o) => ({ uri: o.uri, layout: o.layout, shards: o.shards, recordCount: o.recordCount }))).toEqual([
        {
          uri: old.objectUri,
          layout: 1,
          shards: [{ shardId: 'shardId-000000000002', firstSequenceNumber: '5', lastSequenceNumber: '6', recordCount: 2 }],
          recordCount: 2,
        },
        {
          uri: multi.objectUri,
          layout: 2,
          shards: [
            { shardId: 'shardId-000000000000', firstSequenceNumber: '10', lastSequenceNumber: '11', recordCount: 2 },
            { shardId: 'shardId-000000000001', firstSequenceNumber: '20', lastSequenceNumber: '20', recordCount: 1 },
          ],
          recordCount: 3,
        },
      ]);
      // both objects' records were read for the schema, whichever their arrival_time type
      expect(await reader.getStream('orders')).toMatchObject({ objectCount: 2, recordCount: 5, partitionCount: 2, format: 'json' });
      expect(await catalog.stop()).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- catalog logs ---\n${catalog.logs().slice(-4000)}`, { cause: err });
    } finally {
      if (catalog.child.exitCode === null) catalog.child.kill('SIGKILL');
      await ds.destroy();
      engine.close();
      s3.destroy();
      sqs.destroy();
    }
  });
});
