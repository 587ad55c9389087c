import { Queues } from '@flux-capacitor/contracts';
import { createSqsClient } from '@flux-capacitor/aws';
import { createDataSource } from '@flux-capacitor/persistence';
import { createTestDatabase, getStack, receiveDeadLetters, startTcpFaultProxy, testConfig, uniqueName, type TcpFaultProxy, type TestDatabase } from '@flux-capacitor/testing';
import type { INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { register } from 'prom-client';
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

  it('handles a message again, all of its work once, when a Postgres partition cuts its handler short mid-transaction', async () => {
    const postgres = await proxyTo(db.url, 'refuse');
    postgres.setMode('pass');
    const proxiedUrl = new URL(db.url);
    proxiedUrl.port = String(postgres.port);
    const table = uniqueName('work').replace(/-/g, '_');
    const direct = new Client({ connectionString: db.url });
    await direct.connect();
    closers.push(() => direct.end());
    await direct.query(`CREATE TABLE ${table} (envelope_id text NOT NULL, step int NOT NULL)`);
    const probe = new Probe();
    // Three writes in the inbox transaction; the partition starts between the first two on the first delivery.
    probe.behaviour = async (_payload, ctx) => {
      const write = (step: number) => ctx.entityManager.query(`INSERT INTO ${table} (envelope_id, step) VALUES ($1, $2)`, [ctx.envelope.id, step]);
      await write(1);
      if (probe.calls.length === 1) postgres.setMode('hang');
      await write(2);
      await write(3);
    };
    const { server, config } = await startConsumer(getStack().sqs, await connect(proxiedUrl.toString()), probe);
    const sqs = createSqsClient(testConfig().aws);
    closers.push(async () => sqs.destroy());
    const sent = await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'test' }).publish('archive.object.written', archiveObjectWritten());
    await vi.waitFor(() => expect(server.readiness()).toMatchObject({ status: 'down', error: expect.stringMatching(/database/) }), { timeout: 15_000, interval: 100 });
    postgres.setMode('pass');
    // The held second write reaches the server now. Were the cut-short transaction still open on a pooled
    // connection, the next delivery would commit it as a duplicate: steps 1 and 2, never 3.
    await vi.waitFor(
      async () => {
        const { rows } = await direct.query<{ step: number }>(`SELECT step FROM ${table} WHERE envelope_id = $1 ORDER BY step`, [sent.id]);
        expect(rows.map((r) => r.step)).toEqual([1, 2, 3]);
      },
      { timeout: 20_000, interval: 250 },
    );
    expect(probe.calls.length).toBeGreaterThanOrEqual(2);
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

  it('reports no queue depth while SQS does not answer (not the last one read), counts the failed reads, and reports again once SQS answers', async () => {
    const sqs = await proxyTo(getStack().sqs, 'refuse');
    sqs.setMode('pass');
    const { server } = await startConsumer(sqs.url, await connect(db.url), new Probe(), { FLUX_SQS_QUEUE_PREFIX: `${uniqueName('depth')}-` });
    await vi.waitFor(() => expect(server.readiness()).toMatchObject({ status: 'up' }), { timeout: 15_000, interval: 100 });
    const { name, deadLetterName } = server.queue ?? { name: '', deadLetterName: '' };
    const metric = (n: string) => register.getSingleMetric(n) ?? expect.fail(`${n} is not registered`);
    const scrape = async () => {
      // get() runs the gauge's collect(), as one scrape of /metrics does
      const depth = (await metric('flux_sqs_queue_messages').get()).values.filter((v) => v.labels.queue === name || v.labels.queue === deadLetterName);
      const errors = (await metric('flux_sqs_queue_depth_errors_total').get()).values.filter((v) => v.labels.queue === name || v.labels.queue === deadLetterName);
      return {
        depth: Object.fromEntries(depth.map((v) => [v.labels.kind, v.value])),
        errors: Object.fromEntries(errors.map((v) => [v.labels.kind, v.value])),
      };
    };
    expect(await scrape()).toEqual({ depth: { main: 0, 'dead-letter': 0 }, errors: {} });

    sqs.setMode('refuse');
    expect(await scrape()).toEqual({ depth: {}, errors: { main: 1, 'dead-letter': 1 } });
    // what /metrics serves: no series for either queue (a second failed read)
    expect(await register.metrics()).not.toMatch(new RegExp(`^flux_sqs_queue_messages\\{queue="${name}`, 'm'));

    sqs.setMode('pass');
    expect((await scrape()).depth).toEqual({ main: 0, 'dead-letter': 0 });
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

