import { ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import type { FluxConfig } from '@flux-capacitor/config';
import { FluxError, Queues } from '@flux-capacitor/contracts';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import type { ResolvedQueue } from '../../src/ensure-queues';
import { deadLetterQueueName, physicalQueueName } from '../../src/queue-names';
import { SqsServer } from '../../src/sqs.server';
import { createTestDatabase, testConfig, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { Probe, archiveObjectWritten, consumerModule, createPlainQueue, drainQueue, queueDepth, sleep } from './sqs-test-kit';

const LOGGER = ['error'] as const;

/**
 * Redelivery behaviour. These tests wait for real visibility timeouts (5 s, the smallest FLUX_SQS_VISIBILITY_SECONDS
 * allows), so each takes 5-15 s.
 */
describe('SQS transport redelivery', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = await createDataSource(db.url).initialize();
    await dataSource.query(`CREATE TABLE probe_write (envelope_id uuid NOT NULL, attempt int NOT NULL)`);
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

  async function startConsumer(config: FluxConfig, probe: Probe, options: { shutdownGraceMs?: number } = {}) {
    const client = clientFor(config);
    const consumer = uniqueName('catalog');
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer, dataSource, ...options });
    const app: INestMicroservice = await NestFactory.createMicroservice(consumerModule(probe), { strategy: server, logger: [...LOGGER] });
    closers.push(() => app.close());
    await app.listen();
    const publisher = new SqsPublisher({ client, settings: config.sqs, producer: 'test' });
    return { app, server, client, queue: server.queue as ResolvedQueue, consumer, publisher };
  }

  it('moves a message whose handler always fails to the dead-letter queue after maxReceiveCount receives, rolling back each attempt', async () => {
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '5', FLUX_SQS_MAX_RECEIVE_COUNT: '2' });
    const probe = new Probe();
    probe.behaviour = async (_payload, ctx) => {
      await ctx.entityManager.query(`INSERT INTO probe_write (envelope_id, attempt) VALUES ($1, $2)`, [ctx.envelope.id, ctx.receiveCount]);
      throw new Error('catalog is on fire');
    };
    const { client, queue, consumer, publisher } = await startConsumer(config, probe);
    const envelope = await publisher.publish('archive.object.written', archiveObjectWritten());

    // The queue's RedrivePolicy moves it (local-aws-sqs applies it when the last receive's visibility expires).
    const dead = await drainQueue(client, queue.deadLetterUrl, { atLeast: 1, timeoutMs: 40_000 });
    expect(dead.map((m) => JSON.parse(m.Body!).id)).toEqual([envelope.id]);
    expect(dead[0].MessageAttributes?.['flux-dead-letter-reason']).toBeUndefined();
    expect(probe.calls.map((c) => [c.envelopeId, c.receiveCount])).toEqual([
      [envelope.id, 1],
      [envelope.id, 2],
    ]);
    expect(await queueDepth(client, queue.url)).toBe(0);
    // Each failed attempt rolled back: neither the handler's writes nor an inbox row remain.
    expect(await dataSource.query(`SELECT * FROM probe_write WHERE envelope_id = $1`, [envelope.id])).toEqual([]);
    expect(await dataSource.query(`SELECT * FROM inbox_message WHERE consumer = $1`, [consumer])).toEqual([]);
  });

  it('dead-letters a message itself once received more than maxReceiveCount times when the queue has no redrive policy', async () => {
    const config = testConfig({
      FLUX_SQS_VISIBILITY_SECONDS: '5',
      FLUX_SQS_MAX_RECEIVE_COUNT: '1',
      FLUX_SQS_CREATE_QUEUES: 'false',
    });
    const admin = clientFor(config);
    const url = await createPlainQueue(admin, physicalQueueName(config.sqs, Queues.Catalog));
    const dlqUrl = await createPlainQueue(admin, deadLetterQueueName(config.sqs, Queues.Catalog));
    const probe = new Probe();
    probe.behaviour = async () => {
      throw new Error('always fails');
    };
    const { queue, publisher } = await startConsumer(config, probe);
    expect([queue.url, queue.deadLetterUrl]).toEqual([url, dlqUrl]);
    const envelope = await publisher.publish('archive.object.written', archiveObjectWritten());

    const dead = await drainQueue(admin, dlqUrl, { atLeast: 1, timeoutMs: 40_000 });
    expect(dead.map((m) => JSON.parse(m.Body!).id)).toEqual([envelope.id]);
    expect(dead[0].MessageAttributes?.['flux-dead-letter-reason']?.StringValue).toBe('receive-count-exceeded');
    expect(probe.calls.map((c) => c.receiveCount)).toEqual([1]);
    await vi.waitFor(async () => expect(await queueDepth(admin, url)).toBe(0), { timeout: 10_000 });
  });

  it('keeps extending the visibility timeout while a handler runs past it, so no other consumer receives the message', async () => {
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '5' });
    const probe = new Probe();
    let finished = false;
    // Runs for 2.4 visibility timeouts.
    probe.behaviour = async () => {
      await sleep(12_000);
      finished = true;
    };
    const { client, queue, publisher } = await startConsumer(config, probe);
    const envelope = await publisher.publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls).toHaveLength(1), { timeout: 10_000, interval: 50 });

    // A second consumer polls the same queue for as long as the handler runs.
    const stolen: string[] = [];
    while (!finished) {
      const out = await client.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
      stolen.push(...(out.Messages ?? []).map((m) => m.MessageId!));
    }
    expect(stolen).toEqual([]);
    await vi.waitFor(async () => expect(await queueDepth(client, queue.url)).toBe(0), { timeout: 10_000 });
    expect(probe.calls.map((c) => [c.envelopeId, c.receiveCount])).toEqual([[envelope.id, 1]]);
  });

  it('on close, hands a message whose handler outlives the grace period back to the queue at once', async () => {
    // A visibility timeout of 10 minutes: the message can only come back within the test if it is handed back.
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '600' });
    const probe = new Probe();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    probe.behaviour = () => gate;
    const { app, client, queue, publisher } = await startConsumer(config, probe, { shutdownGraceMs: 300 });
    const envelope = await publisher.publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls).toHaveLength(1), { timeout: 10_000, interval: 50 });

    await app.close();
    const back = await drainQueue(client, queue.url, { atLeast: 1, timeoutMs: 15_000, idleRounds: 1 });
    release();
    expect(back.map((m) => JSON.parse(m.Body!).id)).toEqual([envelope.id]);
  });

  it('on close, waits for a handler that finishes within the grace period and deletes its message', async () => {
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '600' });
    const probe = new Probe();
    let finished = false;
    probe.behaviour = async () => {
      await sleep(1500);
      finished = true;
    };
    const { app, client, queue, publisher } = await startConsumer(config, probe, { shutdownGraceMs: 20_000 });
    await publisher.publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls).toHaveLength(1), { timeout: 10_000, interval: 50 });

    await app.close();
    expect(finished).toBe(true);
    expect(await queueDepth(client, queue.url)).toBe(0);
  });

  it('retries a handler that fails once with an error of a retry kind (unavailable) and handles the message on the next receive', async () => {
    const config = testConfig({ FLUX_SQS_VISIBILITY_SECONDS: '5', FLUX_SQS_MAX_RECEIVE_COUNT: '3' });
    const probe = new Probe();
    probe.behaviour = async (_payload, ctx) => {
      await ctx.entityManager.query(`INSERT INTO probe_write (envelope_id, attempt) VALUES ($1, $2)`, [ctx.envelope.id, ctx.receiveCount]);
      if (ctx.receiveCount === 1) throw new FluxError('unavailable', 'CATALOG_DOWN', 'transient');
    };
    const { client, queue, consumer } = await startConsumer(config, probe);
    const body = JSON.stringify({
      id: crypto.randomUUID(),
      type: 'archive.object.written',
      version: 2,
      correlationId: 'retry',
      occurredAt: new Date().toISOString(),
      producer: 'test',
      payload: archiveObjectWritten(),
    });
    await client.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    await vi.waitFor(async () => expect(await queueDepth(client, queue.url)).toBe(0), { timeout: 30_000, interval: 200 });
    const id = JSON.parse(body).id;
    expect(await dataSource.query(`SELECT attempt FROM probe_write WHERE envelope_id = $1`, [id])).toEqual([{ attempt: 2 }]);
    expect(await dataSource.query(`SELECT message_id FROM inbox_message WHERE consumer = $1`, [consumer])).toEqual([{ message_id: id }]);
  });
});
