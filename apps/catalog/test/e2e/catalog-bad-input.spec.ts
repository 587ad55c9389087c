import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { ParquetEngine, createArchiveStore } from '@flux-capacitor/archive';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { MessageContracts } from '@flux-capacitor/contracts';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, receiveDeadLetters, records, startServiceProcess, testEnvironment, uniqueName, writeArchiveObject, type TestDatabase } from '@flux-capacitor/testing';

const TOKEN = 'catalog-bad-input-token-0123456789';

describe('catalog service: bad input (process, local stack)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('answers bad HTTP input with 4xx, dead-letters poison messages with their reason, handles the next good one and reports a corrupt object', async () => {
    const bucket = uniqueName('flux-cat-bad');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/archive`, FLUX_API_TOKENS: `${TOKEN}:query` });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    const sqs = createSqsClient(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const engine = await ParquetEngine.create({ threads: 1 });
    const catalog = await startServiceProcess('catalog', env);
    const call = (path: string, init: RequestInit = {}) => fetch(`${catalog.url}${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...init.headers } });
    try {
      // HTTP: invalid stream names, absurd ranges, malformed and oversized bodies
      for (const stream of ['..%2F..%2Fetc%2Fpasswd', 'a%20b', 's'.repeat(129)]) {
        const res = await call(`/v1/streams/${stream}/partitions`);
        expect(res.status, stream).toBe(400);
        expect(((await res.json()) as { code: string; detail: string }).detail).toMatch(/^stream: must be a Kinesis stream name/);
        expect((await call(`/v1/streams/${stream}/schema`)).status, stream).toBe(400);
      }
      expect((await call('/v1/streams/orders/partitions?from=-1')).status).toBe(400);
      expect((await call('/v1/streams/orders/partitions?from=2026-11-25T10:00:00Z&to=2026-11-25T09:00:00Z')).status).toBe(400);
      const malformed = await call('/v1/streams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":' });
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as { code: string }).code).toBe('MALFORMED_JSON');
      const huge = await call('/v1/streams', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'x'.repeat(1024 * 1024) }) });
      expect(huge.status).toBe(413);

      // SQS: a garbage body and a valid envelope with an invalid payload, then a good announcement
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}catalog` }));
      const good = await writeArchiveObject(
        createArchiveStore(config.archive, s3),
        engine,
        records('orders', 'shardId-000000000000', 1000n, '2026-11-25T09:15:00.000Z', [{ id: 1 }]),
      );
      const envelope = (payload: unknown) =>
        JSON.stringify({
          id: randomUUID(),
          type: 'archive.object.written',
          version: MessageContracts['archive.object.written'].version,
          correlationId: 'poison',
          occurredAt: new Date().toISOString(),
          producer: 'test',
          payload,
        });
      const poison = { 'malformed-json': '\u0000not json at all', 'invalid-payload': envelope({ ...good, hour: 25 }) };
      for (const body of Object.values(poison)) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' }).publish('archive.object.written', good);

      await vi.waitFor(
        async () => {
          const body = (await (await call('/v1/streams')).json()) as { streams: { name: string; objectCount: number }[] };
          expect(body.streams).toEqual([expect.objectContaining({ name: 'orders', objectCount: 1 })]);
        },
        { timeout: 60_000, interval: 250 },
      );
      // a truncated object: catalogued, marked corrupt and reported, its message not retried
      const store = createArchiveStore(config.archive, s3);
      const truncated = await writeArchiveObject(store, engine, records('orders', 'shardId-000000000000', 2000n, '2026-11-25T09:45:00.000Z', [{ id: 2 }]));
      const local = join(await mkdtemp(join(tmpdir(), 'flux-cat-bad-')), 'o.parquet');
      await store.getToFile(store.keyOf(truncated.objectUri)!, local);
      await writeFile(local, (await readFile(local)).subarray(0, 100));
      await store.put(store.keyOf(truncated.objectUri)!, local);
      await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' }).publish('archive.object.written', truncated);
      await vi.waitFor(
        async () => {
          const body = (await (await call('/v1/streams')).json()) as { streams: { name: string; objectCount: number; corruptObjectCount: number }[] };
          expect(body.streams).toEqual([expect.objectContaining({ name: 'orders', objectCount: 2, corruptObjectCount: 1 })]);
        },
        { timeout: 60_000, interval: 250 },
      );
      const corrupt = (await (await call('/v1/streams/orders/corrupt-objects')).json()) as { objects: { uri: string; reason: string }[] };
      expect(corrupt.objects).toEqual([{ uri: truncated.objectUri, reason: expect.stringContaining(truncated.objectUri), detectedAt: expect.any(String) }]);
      expect(await (await fetch(`${catalog.url}/metrics`)).text()).toMatch(/^flux_catalog_corrupt_objects\{stream="orders"[^}]*\} 1$/m);

      const dead = await receiveDeadLetters(sqs, `${config.sqs.queuePrefix}catalog`, 2);
      expect(Object.fromEntries(dead.map((m) => [m.reason, m.body]))).toEqual(poison);
      expect(dead.find((m) => m.body === poison['invalid-payload'])?.detail).toMatch(/hour/);
      expect((await (await fetch(`${catalog.url}/health`)).json()) as { status: string }).toMatchObject({ status: 'ok' });
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
