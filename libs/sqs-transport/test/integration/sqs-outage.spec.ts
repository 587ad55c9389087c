import { Queues } from '@flux-capacitor/contracts';
import { createSqsClient } from '@flux-capacitor/aws';
import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, getStack, receiveDeadLetters, startTcpFaultProxy, testConfig, uniqueName, type TcpFaultProxy, type TestDatabase } from '@flux-capacitor/testing';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import { SqsPublisher } from '../../src/sqs.publisher';
import { SqsServer } from '../../src/sqs.server';
import { Probe, archiveObjectWritten, consumerModule } from './sqs-test-kit';

const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 5432) };
};

/** The SQS server with SQS or Postgres behind a fault proxy (libs/testing tcp-fault-proxy). */
describe('SQS transport through dependency outages', () => {
  let db: TestDatabase;
  const closers: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    for (let close = closers.pop(); close; close = closers.pop()) await close();
  });
  afterAll(() => db?.drop());

  async function proxyTo(url: string, mode: 'hang' | 'refuse'): Promise<TcpFaultProxy> {
    const proxy = await startTcpFaultProxy(hostPort(url), { mode });
    closers.push(() => proxy.close());
    return proxy;
  }

  async function connect(url: string): Promise<DataSource> {
    const ds = await createDataSource({ url, queryTimeoutMs: 2000 }).initialize();
    closers.push(() => ds.destroy());
    return ds;
  }

  async function startConsumer(sqsEndpoint: string, dataSource: DataSource, probe: Probe, env: Record<string, string> = {}) {
    const config = testConfig({ AWS_ENDPOINT_URL_SQS: sqsEndpoint, FLUX_SQS_VISIBILITY_SECONDS: '30', ...env });
    const client = createSqsClient(config.aws);
    closers.push(async () => client.destroy());
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: uniqueName('catalog'), dataSource });
    const app: INestMicroservice = await NestFactory.createMicroservice(consumerModule(probe), { strategy: server, logger: ['error'] });
    await app.listen();
    closers.push(() => app.close());
    return { server, config };
  }

  it('starts listening while SQS does not answer, reports not ready, and consumes once SQS answers', async () => {
    const sqs = await proxyTo(getStack().sqs, 'hang');
    const probe = new Probe();
    const { server, config } = await startConsumer(sqs.url, await connect(db.url), probe);
    expect(server.readiness()).toMatchObject({ status: 'down', error: expect.stringMatching(/waiting for SQS/) });

    sqs.setMode('pass');
    await vi.waitFor(() => expect(server.readiness()).toMatchObject({ status: 'up' }), { timeout: 35_000, interval: 100 });
    const direct = createSqsClient(testConfig().aws);
    closers.push(async () => direct.destroy());
    const sent = await new SqsPublisher({ client: direct, settings: config.sqs, producer: 'test' }).publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls.map((c) => c.envelopeId)).toEqual([sent.id]), { timeout: 10_000, interval: 100 });
  }, 60_000);

  it('pauses receiving while the database is away, and handles the message within seconds of its return', async () => {
    const postgres = await proxyTo(db.url, 'refuse');
    postgres.setMode('pass');
    const proxiedUrl = new URL(db.url);
    proxiedUrl.port = String(postgres.port);
    const probe = new Probe();
    const { server, config } = await startConsumer(getStack().sqs, await connect(proxiedUrl.toString()), probe);
    expect(server.readiness()).toMatchObject({ status: 'up' });

    postgres.setMode('hang');
    const direct = createSqsClient(testConfig().aws);
    closers.push(async () => direct.destroy());
    const sent = await new SqsPublisher({ client: direct, settings: config.sqs, producer: 'test' }).publish('archive.object.written', archiveObjectWritten());
    // The inbox transaction cannot begin: the handler never runs, and receiving pauses.
    await vi.waitFor(() => expect(server.readiness()).toMatchObject({ status: 'down', error: expect.stringMatching(/database/) }), { timeout: 15_000, interval: 100 });
    expect(probe.calls).toEqual([]);

    postgres.setMode('pass');
    await vi.waitFor(() => expect(probe.calls.map((c) => c.envelopeId)).toEqual([sent.id]), { timeout: 10_000, interval: 100 });
    // Not after the visibility timeout (30 s): the message was handed back for a retry in 1 s.
    expect(server.readiness()).toMatchObject({ status: 'up' });
  }, 60_000);

  it('requeues a message that a dependency outage keeps failing, so it is handled once the outage ends, not dead-lettered', async () => {
    const probe = new Probe();
    const outageFailures = 4;
    probe.behaviour = async () => {
      if (probe.calls.length <= outageFailures) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    };
    // At most 3 receives per message (local-aws-sqs also counts each ChangeMessageVisibility): without the requeue
    // the fourth failure would send it to the dead-letter queue.
    const env = { FLUX_SQS_VISIBILITY_SECONDS: '5', FLUX_SQS_MAX_RECEIVE_COUNT: '3', FLUX_SQS_QUEUE_PREFIX: `${uniqueName('outage')}-` };
    const { config } = await startConsumer(getStack().sqs, await connect(db.url), probe, env);
    const direct = createSqsClient(testConfig().aws);
    closers.push(async () => direct.destroy());
    const sent = await new SqsPublisher({ client: direct, settings: config.sqs, producer: 'test' }).publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(probe.calls.length).toBe(outageFailures + 1), { timeout: 45_000, interval: 200 });
    expect(new Set(probe.calls.map((c) => c.envelopeId))).toEqual(new Set([sent.id]));
    expect(Math.max(...probe.calls.map((c) => c.receiveCount))).toBeLessThanOrEqual(3);
    expect(await receiveDeadLetters(direct, `${config.sqs.queuePrefix}catalog`, 1, 3000)).toEqual([]);
  }, 60_000);

  it('still refuses to start when SQS answers that the queue does not exist (FLUX_SQS_CREATE_QUEUES=false)', async () => {
    const config = testConfig({ FLUX_SQS_CREATE_QUEUES: 'false' });
    const client = createSqsClient(config.aws);
    closers.push(async () => client.destroy());
    const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: uniqueName('catalog'), dataSource: await connect(db.url) });
    const app: INestMicroservice = await NestFactory.createMicroservice(consumerModule(new Probe()), { strategy: server, logger: false });
    closers.push(() => app.close());
    await expect(app.listen()).rejects.toThrow(/does not exist/);
  });
});

