import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { ParquetEngine, createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import type { ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { Logger } from '@nestjs/common';
import {
  createTestDatabase,
  records,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeArchiveObject,
  type ServiceProcess,
  type TestDatabase,
} from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';

const STREAMS = ['orders', 'payments', 'refunds'];
const OBJECTS = 36;

/**
 * Two catalog processes consume one queue. Every object is announced twice (two envelope ids, as an archiver retry
 * does) and a third of the envelopes are delivered twice (the same envelope id, as a redelivery after a visibility
 * timeout does, possibly to the other replica at the same moment): each object is catalogued once, each envelope
 * handled once, each new partition announced once.
 */
describe('two catalog instances on one queue', () => {
  let db: TestDatabase;
  let ds: DataSource;
  beforeAll(async () => {
    // the test's own publisher logs every message at debug level
    Logger.overrideLogger(['error', 'warn']);
    db = await createTestDatabase();
    ds = await createDataSource(db.url).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('catalogue every object, envelope and partition once, whichever instance receives each copy', async () => {
    const bucket = uniqueName('flux-cat-replicas');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/archive`, LOG_LEVEL: 'info' });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    const sqs = createSqsClient(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = createArchiveStore(config.archive, s3);
    const engine = await ParquetEngine.create({ threads: 1 });
    const publisher = new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' });
    const replicas: ServiceProcess[] = [];
    try {
      replicas.push(...(await Promise.all([startServiceProcess('catalog', env, 120_000), startServiceProcess('catalog', env, 120_000)])));

      // 36 objects over 3 streams and 4 hours: 12 partitions, several objects each; every object 1 to 4 records.
      const announcements: ArchiveObjectWritten[] = [];
      let totalRecords = 0;
      for (let i = 0; i < OBJECTS; i++) {
        const stream = STREAMS[i % STREAMS.length];
        const hour = String(8 + (Math.floor(i / STREAMS.length) % 4)).padStart(2, '0');
        const bodies = Array.from({ length: 1 + (i % 4) }, (_, j) => ({ id: i * 10 + j, amount: j + 0.5 }));
        totalRecords += bodies.length;
        announcements.push(await writeArchiveObject(store, engine, records(stream, 'shardId-000000000000', BigInt(1000 + i * 10), `2026-11-25T${hour}:15:00.000Z`, bodies)));
      }
      const { QueueUrl: catalogQueue } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}catalog` }));
      const bodies: string[] = [];
      for (const a of announcements) {
        for (let copy = 0; copy < 2; copy++) bodies.push(JSON.stringify(await publisher.publish('archive.object.written', a)));
      }
      // The same envelopes again: a redelivery, in batches so both replicas get copies at once.
      const redelivered = bodies.filter((_, i) => i % 3 === 0);
      for (let i = 0; i < redelivered.length; i += 10) {
        const chunk = redelivered.slice(i, i + 10);
        await sqs.send(new SendMessageBatchCommand({ QueueUrl: catalogQueue, Entries: chunk.map((body, j) => ({ Id: String(j), MessageBody: body })) }));
      }

      const envelopes = bodies.length;
      const handled = (r: ServiceProcess) => r.logs().split('\n').filter((l) => l.includes('"archive object handled"'));
      const duplicates = (r: ServiceProcess) => r.logs().split('\n').filter((l) => l.includes('duplicate delivery')).length;
      await vi.waitFor(
        () => {
          const done = replicas.reduce((n, r) => n + handled(r).length + duplicates(r), 0);
          if (done < envelopes + redelivered.length) throw new Error(`${done} of ${envelopes + redelivered.length} deliveries settled`);
        },
        { timeout: 120_000, interval: 250 },
      );

      const one = async (sql: string) => ((await ds.query(sql)) as { n: number }[])[0].n;
      expect(await one(`SELECT count(*)::int AS n FROM catalog_object`)).toBe(OBJECTS);
      expect(await one(`SELECT count(*)::int AS n FROM catalog_object_shard`)).toBe(OBJECTS);
      expect(await one(`SELECT coalesce(sum(record_count), 0)::int AS n FROM catalog_object`)).toBe(totalRecords);
      expect(await one(`SELECT count(*)::int AS n FROM catalog_object WHERE schema_version IS NULL`)).toBe(0);
      expect(await one(`SELECT count(*)::int AS n FROM catalog_partition`)).toBe(STREAMS.length * 4);
      expect(await one(`SELECT count(*)::int AS n FROM catalog_schema_version`)).toBe(STREAMS.length);
      expect(await one(`SELECT count(*)::int AS n FROM inbox_message WHERE consumer = 'catalog'`)).toBe(envelopes);

      // Each envelope handled once over both replicas, each object added once, each redelivery skipped once.
      const lines = replicas.flatMap(handled).map((l) => JSON.parse(l) as { uri: string; objectAdded: boolean; partitionAdded: boolean });
      expect(lines.length).toBe(envelopes);
      expect(lines.filter((l) => l.objectAdded).length).toBe(OBJECTS);
      expect(new Set(lines.filter((l) => l.objectAdded).map((l) => l.uri)).size).toBe(OBJECTS);
      expect(replicas.reduce((n, r) => n + duplicates(r), 0)).toBe(redelivered.length);
      // Both instances did part of the work.
      for (const r of replicas) expect(handled(r).length).toBeGreaterThan(0);

      // One catalog.partition.added per partition reached the query gateway's queue.
      const { QueueUrl: gatewayQueue } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}query-gateway` }));
      const added: string[] = [];
      for (let empty = 0; empty < 3; ) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: gatewayQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 600 }));
        if (!r.Messages?.length) empty++;
        for (const m of r.Messages ?? []) {
          const { type, payload } = JSON.parse(m.Body ?? '{}') as { type: string; payload: { stream: string; dt: string; hour: number } };
          if (type === 'catalog.partition.added') added.push(`${payload.stream}/${payload.dt}/${payload.hour}`);
        }
      }
      expect(added.length).toBe(STREAMS.length * 4);
      expect(new Set(added).size).toBe(STREAMS.length * 4);

      for (const r of replicas.splice(0)) expect(await r.stop()).toBe(0);
    } catch (err) {
      const logs = replicas.map((r, i) => `--- catalog ${i} logs ---\n${r.logs().slice(-3000)}`).join('\n');
      throw new Error(`${(err as Error).message}\n${logs}`, { cause: err });
    } finally {
      for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
      engine.close();
      s3.destroy();
      sqs.destroy();
    }
  }, 300_000);
});
