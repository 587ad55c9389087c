import { GetQueueAttributesCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import type { FluxConfig } from '@flux-capacitor/config';
import { FluxError, Queues } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsMessagingModule, SqsPublisher, SqsServerFactory, QueueMissingError } from '@flux-capacitor/sqs-transport';
import { ensureQueues } from '../../src/ensure-queues';
import { physicalQueueName } from '../../src/queue-names';
import { sqsMetrics } from '../../src/sqs.metrics';
import { SqsServer } from '../../src/sqs.server';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { Module, type INestApplication, type INestApplicationContext, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { register } from 'prom-client';
import { DataSource } from 'typeorm';
import {
  ArchiveObjectWrittenHandler,
  PROBE,
  Probe,
  StrayCatalogPartitionAddedHandler,
  archiveObjectWritten,
  configModule,
  consumerModule,
  drainQueue,
  queueDepth,
  sleep,
} from './sqs-test-kit';

const LOGGER = ['error', 'warn'] as const;

describe('SQS transport', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url).initialize();
    await dataSource.query(`CREATE TABLE probe_write (envelope_id uuid PRIMARY KEY, stream text NOT NULL)`);
  });
  afterEach(async () => {
    while (closers.length > 0) await closers.pop()!();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  function clientFor(config: FluxConfig): SQSClient {
    const client = createSqsClient(config.aws);
    closers.unshift(async () => client.destroy());
    return client;
  }

  async function startConsumer(config: FluxConfig, probe: Probe, consumer = uniqueName('catalog')) {
    const client = clientFor(config);
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer, dataSource, shutdownGraceMs: 5000 });
    const app: INestMicroservice = await NestFactory.createMicroservice(consumerModule(probe), { strategy: server, logger: [...LOGGER] });
    closers.push(() => app.close());
    await app.listen();
    return { app, server, client, queue: server.queue!, consumer };
  }

  it('delivers an event published by one Nest application to the @EventPattern handler of another, payload intact', async () => {
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '30' });
    const probe = new Probe();
    probe.behaviour = async (payload, ctx) => {
      await ctx.entityManager.query(`INSERT INTO probe_write (envelope_id, stream) VALUES ($1, $2)`, [ctx.envelope.id, payload.stream]);
    };
    const { queue, consumer } = await startConsumer(config, probe);

    @Module({ imports: [configModule(config), SqsMessagingModule.forRoot({ consumer: 'archiver' })] })
    class ArchiverModule {}
    const publisherApp: INestApplicationContext = await NestFactory.createApplicationContext(ArchiverModule, { logger: [...LOGGER] });
    closers.push(() => publisherApp.close());

    const first = archiveObjectWritten({ stream: 'orders', recordCount: 1 });
    const second = archiveObjectWritten({ stream: 'payments', recordCount: 2 });
    const emitted = await publisherApp.get(SqsPublisher).publish('archive.object.written', first);
    const published = await publisherApp.get(SqsPublisher).publish('archive.object.written', second, { correlationId: 'req-42' });

    await vi.waitFor(() => expect(probe.calls).toHaveLength(2), { timeout: 20_000, interval: 100 });
    const byStream = new Map(probe.calls.map((c) => [(c.payload as { stream: string }).stream, c]));
    expect(byStream.get('orders')).toEqual({ payload: first, envelopeId: emitted.id, correlationId: emitted.id, producer: 'archiver', receiveCount: 1 });
    expect(byStream.get('payments')).toEqual({ payload: second, envelopeId: published.id, correlationId: 'req-42', producer: 'archiver', receiveCount: 1 });

    // The handler's write and the inbox row committed together (the probe records a call before its transaction
    // commits, so wait for the commit); the messages are deleted.
    await vi.waitFor(
      async () =>
        expect(await dataSource.query(`SELECT envelope_id, stream FROM probe_write WHERE envelope_id = ANY($1) ORDER BY stream`, [[emitted.id, published.id]])).toEqual([
          { envelope_id: emitted.id, stream: 'orders' },
          { envelope_id: published.id, stream: 'payments' },
        ]),
      { timeout: 10_000, interval: 100 },
    );
    const inbox = await dataSource.query(`SELECT message_id, message_type FROM inbox_message WHERE consumer = $1 ORDER BY message_id`, [consumer]);
    expect(inbox).toEqual([emitted.id, published.id].sort().map((id) => ({ message_id: id, message_type: 'archive.object.written' })));
    await vi.waitFor(async () => expect(await queueDepth(publisherApp.get(SQSClient), queue.url)).toBe(0), { timeout: 10_000 });
    const count = async (metric: typeof sqsMetrics.received) =>
      (await metric.get()).values.find((v) => v.labels.queue === queue.name && v.labels.type === 'archive.object.written')?.value;
    expect([await count(sqsMetrics.received), await count(sqsMetrics.handled), await count(sqsMetrics.failed)]).toEqual([2, 2, undefined]);
  });

  it('builds the server through SqsMessagingModule for a hybrid application (connectMicroservice)', async () => {
    const config = testConfig();
    const probe = new Probe();

    @Module({
      imports: [
        configModule(config, [
          { provide: DataSource, useValue: dataSource },
          { provide: PROBE, useValue: probe },
        ]),
        SqsMessagingModule.forRoot({ consumer: uniqueName('catalog') }),
      ],
      controllers: [ArchiveObjectWrittenHandler],
    })
    class CatalogModule {}
    const app: INestApplication = await NestFactory.create(CatalogModule, { logger: [...LOGGER] });
    closers.push(() => app.close());
    app.connectMicroservice({ strategy: app.get(SqsServerFactory).create(Queues.Catalog) });
    await app.startAllMicroservices();
    await app.init();

    const envelope = await app.get(SqsPublisher).publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls.map((c) => c.envelopeId)).toEqual([envelope.id]), { timeout: 20_000, interval: 100 });
  });

  it('publishes a batch with SendMessageBatch and never runs more handlers at once than the concurrency bound', async () => {
    const config = testConfig({ FLUX_SQS_BATCH_SIZE: '10' });
    const probe = new Probe();
    let running = 0;
    let maxRunning = 0;
    probe.behaviour = async () => {
      maxRunning = Math.max(maxRunning, ++running);
      await sleep(150);
      running--;
    };
    const client = clientFor(config);
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: uniqueName('catalog'), dataSource, concurrency: 3 });
    const app = await NestFactory.createMicroservice(consumerModule(probe), { strategy: server, logger: [...LOGGER] });
    closers.push(() => app.close());
    await app.listen();

    const publisher = new SqsPublisher({ client, settings: config.sqs, producer: 'archiver' });
    const payloads = Array.from({ length: 23 }, (_, i) => archiveObjectWritten({ recordCount: i }));
    const envelopes = await publisher.publishBatch('archive.object.written', payloads, { correlationId: 'batch-1' });
    expect(new Set(envelopes.map((e) => e.id)).size).toBe(23);

    await vi.waitFor(() => expect(probe.calls).toHaveLength(23), { timeout: 30_000, interval: 100 });
    expect(probe.calls.map((c) => c.envelopeId).sort()).toEqual(envelopes.map((e) => e.id).sort());
    expect(probe.calls.every((c) => c.correlationId === 'batch-1')).toBe(true);
    expect(maxRunning).toBeLessThanOrEqual(3);
    await vi.waitFor(async () => expect(await queueDepth(client, server.queue!.url)).toBe(0), { timeout: 10_000 });
  });

  it('handles the same envelope delivered twice exactly once', async () => {
    const config = testConfig();
    const probe = new Probe();
    // Slow enough that both copies are in flight together: the second waits on the first's inbox row.
    probe.behaviour = () => sleep(300);
    const { client, queue, consumer } = await startConsumer(config, probe);
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      type: 'archive.object.written',
      version: 2,
      correlationId: 'dup-test',
      occurredAt: new Date().toISOString(),
      producer: 'test',
      payload: archiveObjectWritten(),
    });
    await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: [
          { Id: 'a', MessageBody: body },
          { Id: 'b', MessageBody: body },
        ],
      }),
    );
    await vi.waitFor(
      async () => {
        const duplicates = (await sqsMetrics.duplicates.get()).values.find((v) => v.labels.queue === queue.name)?.value;
        expect(duplicates).toBe(1);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(probe.calls).toHaveLength(1);
    const inbox = await dataSource.query(`SELECT count(*)::int AS n FROM inbox_message WHERE consumer = $1`, [consumer]);
    expect(inbox).toEqual([{ n: 1 }]);
    await vi.waitFor(async () => expect(await queueDepth(client, queue.url)).toBe(0), { timeout: 10_000 });
  });

  it('sends a message that can never succeed straight to the dead-letter queue without calling the handler', async () => {
    const config = testConfig({ FLUX_SQS_MAX_RECEIVE_COUNT: '5' });
    const probe = new Probe();
    const { client, queue } = await startConsumer(config, probe);
    const envelope = (overrides: Record<string, unknown>) =>
      JSON.stringify({
        id: crypto.randomUUID(),
        type: 'archive.object.written',
        version: 2,
        correlationId: 'poison',
        occurredAt: new Date().toISOString(),
        producer: 'test',
        payload: archiveObjectWritten(),
        ...overrides,
      });
    const bodies = {
      'invalid-payload': envelope({ payload: archiveObjectWritten({ hour: 25 }) }),
      'malformed-json': '{"id": ',
      'unknown-type': envelope({ type: 'archive.object.shredded' }),
      'unsupported-version': envelope({ version: 7 }),
      'invalid-envelope': envelope({ producer: '' }),
    };
    for (const body of Object.values(bodies)) await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));

    // /metrics: the dead-letter queue's depth, read from SQS at scrape, and the messages counted by reason
    const dlqDepth = async () =>
      (await register.getSingleMetric('flux_sqs_queue_messages')!.get()).values.find((v) => v.labels.queue === queue.deadLetterName && v.labels.kind === 'dead-letter')?.value;
    await vi.waitFor(async () => expect(await dlqDepth()).toBe(Object.keys(bodies).length), { timeout: 15_000, interval: 250 });
    const counted = (await sqsMetrics.deadLettered.get()).values.filter((v) => v.labels.queue === queue.name);
    expect(counted.find((v) => v.labels.reason === 'malformed-json')?.value).toBe(1);

    const dead = await drainQueue(client, queue.deadLetterUrl, { atLeast: Object.keys(bodies).length });
    const byReason = Object.fromEntries(dead.map((m) => [m.MessageAttributes?.['flux-dead-letter-reason']?.StringValue, m.Body]));
    expect(byReason).toEqual(bodies);
    expect(dead.every((m) => m.MessageAttributes?.['flux-source-queue']?.StringValue === queue.name)).toBe(true);
    expect(probe.calls).toEqual([]);
    await vi.waitFor(async () => expect(await queueDepth(client, queue.url)).toBe(0), { timeout: 10_000 });
  });

  it('dead-letters at once, rolling back, a message whose handler fails with an error of a dead-letter kind (not-found)', async () => {
    const config = testConfig({ FLUX_SQS_MAX_RECEIVE_COUNT: '5' });
    const probe = new Probe();
    probe.behaviour = async (payload, ctx) => {
      await ctx.entityManager.query(`INSERT INTO probe_write (envelope_id, stream) VALUES ($1, $2)`, [ctx.envelope.id, payload.stream]);
      throw new FluxError('not-found', 'ARCHIVE_OBJECT_MISSING', `object ${payload.objectUri} does not exist`);
    };
    const { client, queue, consumer } = await startConsumer(config, probe);
    const envelope = await new SqsPublisher({ client, settings: config.sqs, producer: 'test' }).publish(
      'archive.object.written',
      archiveObjectWritten({ objectUri: 's3://gone/part-9.parquet' }),
    );

    const dead = await drainQueue(client, queue.deadLetterUrl, { atLeast: 1 });
    expect(dead.map((m) => [JSON.parse(m.Body!).id, m.MessageAttributes?.['flux-dead-letter-reason']?.StringValue, m.MessageAttributes?.['flux-dead-letter-detail']?.StringValue])).toEqual([
      [envelope.id, 'rejected-by-handler', 'ARCHIVE_OBJECT_MISSING: object s3://gone/part-9.parquet does not exist'],
    ]);
    expect(probe.calls).toHaveLength(1);
    expect(await dataSource.query(`SELECT * FROM probe_write WHERE envelope_id = $1`, [envelope.id])).toEqual([]);
    expect(await dataSource.query(`SELECT * FROM inbox_message WHERE consumer = $1`, [consumer])).toEqual([]);
    await vi.waitFor(async () => expect(await queueDepth(client, queue.url)).toBe(0), { timeout: 10_000 });
  });

  it('refuses to start a server that lacks a handler for a message type routed to its queue', async () => {
    const config = testConfig();
    const client = clientFor(config);
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: 'catalog', dataSource });
    const app = await NestFactory.createMicroservice(consumerModule(new Probe(), []), { strategy: server, logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toThrow(/no handler for routed message type\(s\) archive\.object\.written/);
  });

  it('refuses to start a server with a handler for a message type not routed to its queue', async () => {
    const config = testConfig();
    const client = clientFor(config);
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: 'catalog', dataSource });
    const app = await NestFactory.createMicroservice(
      consumerModule(new Probe(), [ArchiveObjectWrittenHandler, StrayCatalogPartitionAddedHandler]),
      { strategy: server, logger: false },
    );
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toThrow(/not routed to this queue: catalog\.partition\.added/);
  });

  it('creates each queue with a dead-letter queue and redrive policy, and names a missing queue when creation is off', async () => {
    const config = testConfig({ FLUX_SQS_MAX_RECEIVE_COUNT: '4' });
    const client = clientFor(config);
    await expect(ensureQueues(client, { ...config.sqs, createQueues: false }, [Queues.ReplayCoordinator])).rejects.toThrow(
      new QueueMissingError(physicalQueueName(config.sqs, Queues.ReplayCoordinator)),
    );
    const queues = await ensureQueues(client, config.sqs, [Queues.ReplayCoordinator]);
    const q = queues.get(Queues.ReplayCoordinator)!;
    expect(q.name).toBe(`${config.sqs.queuePrefix}replay-coordinator`);
    expect(q.deadLetterName).toBe(`${config.sqs.queuePrefix}replay-coordinator-dlq`);
    const attrs = await client.send(new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ['RedrivePolicy'] }));
    expect(JSON.parse(attrs.Attributes!.RedrivePolicy!)).toEqual({ deadLetterTargetArn: expect.stringMatching(/replay-coordinator-dlq$/), maxReceiveCount: 4 });
    // Idempotent, and with creation off the existing queues now resolve.
    expect(await ensureQueues(client, { ...config.sqs, createQueues: false }, [Queues.ReplayCoordinator])).toEqual(queues);
  });
});
