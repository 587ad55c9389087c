import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createKinesisClient, createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { freePort, spawnService, type RunningService } from '@flux-capacitor/local-stack';
import {
  createStream,
  createTestDatabase,
  getStack,
  startTcpFaultProxy,
  testEnvironment,
  uniqueName,
  type FaultMode,
  type TcpFaultProxy,
  type TestDatabase,
} from '@flux-capacitor/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The four services as real processes, each of Kinesis, S3, SQS and Postgres behind a fault proxy
 * (libs/testing tcp-fault-proxy), records produced at a steady rate throughout (straight to Kinesis, as producers
 * outside the system would). The services start while SQS and Postgres are down; then each dependency in turn is
 * partitioned (`hang`) for 30 s while a query and a replay run, and SQS is refused once. Through all of it no
 * process exits, /health answers within a few seconds naming what is missing, and every service is ready again
 * within 10 s of the dependency's return; at the end the archive holds every record exactly once.
 *
 * The steps share the processes and run in order (a later step alone starts from whatever state the services are in).
 */

const SERVICES = ['archiver', 'catalog', 'query-gateway', 'replay-coordinator'] as const;
type Service = (typeof SERVICES)[number];
type Dependency = 'kinesis' | 's3' | 'sqs' | 'postgres';
/** The name each dependency has on /health, and which services check it (their FluxServiceModule dependencies). */
const HEALTH_NAME: Record<Dependency, string> = { kinesis: 'kinesis', s3: 'archive', sqs: 'sqs', postgres: 'postgres' };
const CHECKED_BY: Record<Dependency, Service[]> = {
  kinesis: ['archiver', 'query-gateway', 'replay-coordinator'],
  s3: [...SERVICES],
  sqs: [...SERVICES],
  postgres: [...SERVICES],
};
const PARTITION_MS = 30_000;
/** What "/health answers within a few seconds" allows (each check is bounded by 3 s; the machine is shared). */
const HEALTH_ANSWER_MS = 8_000;
const TOKEN = 'outages-e2e-token-0123456789abcdef';

interface HealthAnswer {
  service: Service;
  status: number;
  /** dependencies /health reports down */
  down: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function health(service: RunningService & { service: Service }): Promise<HealthAnswer> {
  const res = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(HEALTH_ANSWER_MS) });
  const body = (await res.json()) as { error?: Record<string, { status: string }> };
  return { service: service.service, status: res.status, down: Object.keys(body.error ?? {}) };
}

describe('services through dependency outages (real processes behind fault proxies)', () => {
  const root = mkdtempSync(join(tmpdir(), 'flux-outages-'));
  const stream = uniqueName('outage');
  const replayTarget = `${stream}-replayed`;
  const bucket = uniqueName('outage-archive');
  const proxies = {} as Record<Dependency, TcpFaultProxy>;
  const services = new Map<Service, RunningService & { service: Service }>();
  const logs = new Map<Service, string[]>();
  const produced: string[] = [];
  const replays: string[] = [];
  let db: TestDatabase;
  let kinesis: KinesisClient;
  let producing: Promise<void> | undefined;
  let stopProducing = false;
  let failed = false;
  let env: Record<string, string>;

  const api = async (service: Service, method: string, path: string, body?: unknown, timeoutMs = 120_000) => {
    const res = await fetch(`${services.get(service)?.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  /** A call that got no answer at all (status 0) fails the assertions that follow, with its reason. */
  const settled = (call: ReturnType<typeof api>) => call.catch((err: Error) => ({ status: 0, body: { error: err.message } as Record<string, unknown> }));
  const lastLines = (service: Service) => (logs.get(service) ?? []).slice(-30).join('\n');
  const expectAllAlive = () => {
    for (const s of services.values()) expect(s.child.exitCode, `${s.service} exited:\n${lastLines(s.service)}`).toBeNull();
  };
  const waitAllReady = (timeoutMs: number) =>
    vi.waitFor(
      async () => {
        for (const s of services.values()) expect(await health(s), lastLines(s.service)).toMatchObject({ status: 200 });
      },
      { timeout: timeoutMs, interval: 250 },
    );

  /** Polls every service's /health for `ms`: each answers in time; returns which named `dependency` as down. */
  async function watchHealth(ms: number, dependency: Dependency): Promise<Set<Service>> {
    const named = new Set<Service>();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const answers = await Promise.all([...services.values()].map((s) => health(s)));
      for (const a of answers) if (a.status === 503 && a.down.includes(HEALTH_NAME[dependency])) named.add(a.service);
      expectAllAlive();
      await sleep(1000);
    }
    return named;
  }

  /** A query and a replay started during a fault: each ends with a clear answer (success or a coded problem). */
  async function queryAndReplay(): Promise<void> {
    const query = await settled(api('query-gateway', 'POST', '/v1/query', { sql: `SELECT count(*) AS n FROM "${stream}"` }));
    const clear = (answer: { status: number; body: Record<string, unknown> }) => answer.status >= 500 && typeof answer.body.code === 'string' && answer.body.code !== 'INTERNAL';
    expect(query.status === 200 || clear(query), `${JSON.stringify(query)}\n${lastLines('query-gateway')}`).toBe(true);
    const replay = await settled(api('replay-coordinator', 'POST', '/v1/replays', { source: stream, target: replayTarget, until: new Date().toISOString() }));
    if (replay.status >= 200 && replay.status < 300) replays.push(String(replay.body.id));
    else expect(clear(replay), `${JSON.stringify(replay)}\n${lastLines('replay-coordinator')}`).toBe(true);
  }

  async function fault(dependency: Dependency, mode: FaultMode, ms: number): Promise<void> {
    await waitAllReady(30_000);
    proxies[dependency].setMode(mode);
    let named: Set<Service>;
    try {
      [named] = await Promise.all([watchHealth(ms, dependency), queryAndReplay()]);
    } finally {
      proxies[dependency].setMode('pass');
    }
    expect([...named].sort(), `services naming ${dependency} down during the fault`).toEqual([...CHECKED_BY[dependency]].sort());
    await waitAllReady(10_000);
    expectAllAlive();
  }

  beforeAll(async () => {
    const stack = getStack();
    const aws = loadConfig(testEnvironment()).aws;
    kinesis = createKinesisClient(aws);
    const s3 = createS3Client(aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    await createStream(kinesis, stream, 2);
    await createStream(kinesis, replayTarget, 1);
    db = await createTestDatabase();
    const hostPort = (url: string) => {
      const u = new URL(url);
      return { host: u.hostname, port: Number(u.port || 5432) };
    };
    proxies.kinesis = await startTcpFaultProxy(hostPort(stack.kinesis));
    proxies.s3 = await startTcpFaultProxy(hostPort(stack.s3));
    proxies.sqs = await startTcpFaultProxy(hostPort(stack.sqs), { mode: 'hang' });
    proxies.postgres = await startTcpFaultProxy(hostPort(db.url), { mode: 'refuse' });
    const databaseUrl = new URL(db.url);
    databaseUrl.port = String(proxies.postgres.port);
    env = testEnvironment({
      DATABASE_URL: databaseUrl.toString(),
      AWS_ENDPOINT_URL_KINESIS: proxies.kinesis.url,
      AWS_ENDPOINT_URL_S3: proxies.s3.url,
      AWS_ENDPOINT_URL_SQS: proxies.sqs.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_ARCHIVER_STREAMS: stream,
      FLUX_API_TOKENS: `${TOKEN}:admin+query+replay`,
      FLUX_BUFFER_INTERVAL_SECONDS: '2',
      FLUX_LEASE_HEARTBEAT_SECONDS: '1',
      FLUX_GET_RECORDS_IDLE_MS: '200',
      FLUX_DATABASE_QUERY_TIMEOUT_MS: '5000',
      FLUX_QUERY_WORK_DIR: join(root, 'query'),
      FLUX_REPLAY_WORK_DIR: join(root, 'replay'),
      FLUX_QUERY_SYNC_MAX_ROWS: '100000',
      LOG_LEVEL: 'info',
    });
    for (const service of SERVICES) {
      const lines: string[] = [];
      logs.set(service, lines);
      const running = spawnService(service, { env: { PATH: process.env.PATH, ...env }, port: await freePort(), onLine: (l) => void lines.push(l) });
      services.set(service, { ...running, service });
    }
    producing = (async () => {
      for (let batch = 0; !stopProducing; batch++) {
        const records = Array.from({ length: 5 }, (_, i) => JSON.stringify({ id: `${batch}-${i}` }));
        const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: records.map((r, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(r) })) }));
        // Kinesis itself is not behind a proxy for the producer: a refused entry would be a bug of the emulator.
        expect(out.FailedRecordCount ?? 0).toBe(0);
        produced.push(...records);
        await sleep(500);
      }
    })();
  }, 180_000);

  afterEach((context) => {
    if (context.task.result?.state === 'fail') failed = true;
  });

  afterAll(async () => {
    // The services' logs outlive a failed run, for whoever has to find out why.
    if (failed) for (const [service, lines] of logs) writeFileSync(join(tmpdir(), `${stream}-${service}.log`), lines.join('\n'));
    stopProducing = true;
    await producing?.catch(() => undefined);
    for (const p of Object.values(proxies)) p.setMode('pass');
    await Promise.all([...services.values()].map((s) => s.stop(30_000)));
    await Promise.all(Object.values(proxies).map((p) => p.close()));
    kinesis?.destroy();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('starts every service while SQS and Postgres are down: 503 naming them, then ready within 10 s of their return', async () => {
    await vi.waitFor(
      async () => {
        for (const s of services.values()) {
          const answer = await health(s);
          expect(answer.status).toBe(503);
          expect(answer.down).toEqual(expect.arrayContaining(['sqs', 'postgres']));
        }
      },
      { timeout: 60_000, interval: 500 },
    );
    // A while down: nothing gives up and exits.
    await sleep(5_000);
    expectAllAlive();
    proxies.sqs.setMode('pass');
    proxies.postgres.setMode('pass');
    await waitAllReady(10_000);
  }, 120_000);

  for (const dependency of ['kinesis', 's3', 'sqs', 'postgres'] as const) {
    it(`keeps answering through a 30 s partition of ${dependency} and recovers within 10 s`, () => fault(dependency, 'hang', PARTITION_MS), 180_000);
  }

  it('keeps answering while SQS refuses connections and recovers within 10 s', () => fault('sqs', 'refuse', 15_000), 120_000);

  /** Messages in the run's dead-letter queues, with the reason the service gave, to name what went wrong. */
  async function deadLetters(): Promise<string[]> {
    const sqs = createSqsClient(loadConfig(testEnvironment()).aws);
    try {
      const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: env.FLUX_SQS_QUEUE_PREFIX }));
      const found: string[] = [];
      for (const url of QueueUrls.filter((u) => u.endsWith('-dlq'))) {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, MessageAttributeNames: ['All'] }));
        for (const m of out.Messages ?? []) found.push(`${url}: ${m.MessageAttributes?.['flux-dead-letter-detail']?.StringValue ?? 'moved by the redrive policy'}`);
      }
      return found;
    } finally {
      sqs.destroy();
    }
  }

  /**
   * Why the gateway did not answer every record from the archive, for the failure message. Records still `live` mean
   * the archiver or the catalog is behind; `missing` ones are in no catalogued object although a later catalogued
   * object moved the live tail past them (an announcement not catalogued yet, or lost). Then the catalog's count,
   * what each service's /health reports down now, the dead letters, and where the services' logs are kept.
   */
  async function archiveDiagnosis(rows: { data: string; source: string }[], expected: Set<string>): Promise<string> {
    const bySource = rows.reduce<Record<string, number>>((n, r) => ({ ...n, [r.source]: (n[r.source] ?? 0) + 1 }), {});
    const answered = new Set(rows.map((r) => Buffer.from(r.data, 'base64').toString('utf8')));
    const missing = [...expected].filter((p) => !answered.has(p));
    const catalogued = await settled(api('catalog', 'GET', `/v1/streams/${stream}/partitions`, undefined, 10_000)).then(({ status, body }) =>
      status === 200 ? String((body.partitions as { recordCount: number }[]).reduce((n, p) => n + p.recordCount, 0)) : `status ${status} ${JSON.stringify(body)}`,
    );
    const healthNow = await Promise.all(
      [...services.values()].map((s) =>
        health(s).then(
          (a) => `${a.service} ${a.status}${a.down.length > 0 ? ` (down: ${a.down.join(', ')})` : ''}`,
          (e: Error) => `${s.service} no answer (${e.message})`,
        ),
      ),
    );
    return [
      `rows by source ${JSON.stringify(bySource)} of ${expected.size} produced, missing ${missing.length}: ${missing.slice(0, 20).join(' ')}`,
      `records the catalog counts: ${catalogued}`,
      `health now: ${healthNow.join('; ')}`,
      `dead letters: ${(await deadLetters()).join('\n') || 'none'}`,
      `service logs: ${join(tmpdir(), `${stream}-<service>.log`)}`,
    ].join('\n');
  }

  it('archives every produced record exactly once, counts them in the catalog, and answers them from the gateway', async () => {
    stopProducing = true;
    await producing;
    expect(produced.length).toBeGreaterThan(500);
    const expected = new Set(produced);
    expect(expected.size).toBe(produced.length);
    // Everything archived: the gateway reads every record from the archive, none from the live tail.
    let rows: { data: string; source: string }[] = [];
    await vi
      .waitFor(
        async () => {
          const { status, body } = await api('query-gateway', 'POST', '/v1/query', { sql: `SELECT data, source FROM "${stream}"` });
          expect(status, JSON.stringify(body)).toBe(200);
          rows = body.rows as typeof rows;
          expect(rows.filter((r) => r.source === 'archive')).toHaveLength(produced.length);
        },
        { timeout: 90_000, interval: 2000 },
      )
      .catch(async (err: Error) => {
        throw new Error(`${err.message}\n${await archiveDiagnosis(rows, expected)}`);
      });
    expect(rows).toHaveLength(produced.length);
    expect(new Set(rows.map((r) => Buffer.from(r.data, 'base64').toString('utf8')))).toEqual(expected);
    const { status, body } = await api('catalog', 'GET', `/v1/streams/${stream}/partitions`);
    expect(status).toBe(200);
    expect((body.partitions as { recordCount: number }[]).reduce((n, p) => n + p.recordCount, 0)).toBe(produced.length);
    expect(await deadLetters()).toEqual([]);
    expectAllAlive();
  }, 180_000);

  it('completes every replay that was accepted during the outages', async () => {
    expect(replays.length).toBeGreaterThan(0);
    for (const id of replays) {
      await vi.waitFor(
        async () => {
          const { body } = await api('replay-coordinator', 'GET', `/v1/replays/${id}`);
          expect(body.state, JSON.stringify(body)).toBe('completed');
        },
        { timeout: 90_000, interval: 1000 },
      );
    }
  }, 180_000);
});
