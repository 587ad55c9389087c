import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@flux-capacitor/aws';
import { DomainError, FluxServiceModule, HealthRegistry, RequireRole } from '@flux-capacitor/service-kit';
import { createTestDatabase, testConfig, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';

@Controller('v1/things')
@RequireRole('query')
class ThingsController {
  @Get()
  list() {
    return { things: [1, 2] };
  }

  @Get('missing')
  missing() {
    throw new DomainError('THING_NOT_FOUND', 'no such thing', 'not-found', { thing: 'missing' });
  }
}

interface HealthBody {
  status: string;
  details: Record<string, { status: string; degraded?: boolean }>;
  error: Record<string, { status: string }>;
  degraded: string[];
}

const QUERY_TOKEN = 'q'.repeat(24);
const REPLAY_TOKEN = 'r'.repeat(24);

describe('FluxServiceModule', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let base: string;
  const bucket = uniqueName('svc-kit');

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_API_TOKENS: `${QUERY_TOKEN}:query,${REPLAY_TOKEN}:replay`,
    });
    await createS3Client(testConfig(env).aws).send(new CreateBucketCommand({ Bucket: bucket }));
    @Module({
      imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: ['postgres', 'sqs', 's3', 'kinesis'], env })],
      controllers: [ThingsController],
      providers: [
        // A feature reporting that it works but is at risk, as the archiver does when it falls behind.
        { provide: 'LAG_CHECK', inject: [HealthRegistry], useFactory: (r: HealthRegistry) => r.register('lag', async () => ({ status: 'degraded', oldestUnarchivedMs: 1234 })) },
      ],
    })
    class TestAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [TestAppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('reports every dependency up on /health after real calls to each', async () => {
    const res = await fetch(`${base}/health`);
    const body = (await res.json()) as HealthBody;
    expect(res.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(Object.keys(body.details).sort()).toEqual(['archive', 'kinesis', 'lag', 'postgres', 'sqs']);
    for (const check of Object.values(body.details) as { status: string }[]) expect(check.status).toBe('up');
  });

  it('answers 200 but lists a degraded check, with its details', async () => {
    const body = (await (await fetch(`${base}/health`)).json()) as HealthBody;
    expect(body.degraded).toEqual(['lag']);
    expect(body.details.lag).toEqual({ status: 'up', degraded: true, oldestUnarchivedMs: 1234 });
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/flux_process_cpu_user_seconds_total\{service="catalog"\}/);
  });

  it('answers 401 without a token, 401 for an unknown one, 403 without the role, 200 with it', async () => {
    expect((await fetch(`${base}/v1/things`)).status).toBe(401);
    expect((await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${'x'.repeat(24)}` } })).status).toBe(401);
    const forbidden = await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${REPLAY_TOKEN}` } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ error: 'FORBIDDEN' });
    const ok = await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${QUERY_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ things: [1, 2] });
  });

  it('maps domain errors to their HTTP status with the code and details', async () => {
    const res = await fetch(`${base}/v1/things/missing`, { headers: { authorization: `Bearer ${QUERY_TOKEN}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'THING_NOT_FOUND', message: 'no such thing', thing: 'missing' });
  });
});

describe('FluxServiceModule with a dependency down', () => {
  it('answers 503 and names the dependency that is down', async () => {
    const db = await createTestDatabase({ migrate: false });
    // Nothing listens on port 9 (discard) on loopback: SQS is unreachable.
    const env = testEnvironment({ DATABASE_URL: db.url, AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9' });
    @Module({ imports: [FluxServiceModule.forRoot({ service: 'catalog', dependencies: ['postgres', 'sqs'], env })] })
    class DownAppModule {}
    const moduleRef = await Test.createTestingModule({ imports: [DownAppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const res = await fetch(`${await app.getUrl()}/health`);
      const body = (await res.json()) as HealthBody;
      expect(res.status).toBe(503);
      expect(body.status).toBe('error');
      expect(body.details.postgres.status).toBe('up');
      expect(body.error.sqs.status).toBe('down');
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
