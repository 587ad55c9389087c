import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@flux-capacitor/aws';
import { FluxError } from '@flux-capacitor/contracts';
import { FluxServiceModule, HealthRegistry, RequireRole, ZodValidationPipe } from '@flux-capacitor/service-kit';
import { createTestDatabase, testConfig, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { BadRequestException, Controller, Get, type INestApplication, Logger, Module, Query } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { z } from 'zod';

@Controller('v1/things')
@RequireRole('query')
class ThingsController {
  @Get()
  list() {
    return { things: [1, 2] };
  }

  @Get('missing')
  missing() {
    throw new FluxError('not-found', 'THING_NOT_FOUND', 'no such thing', { details: { thing: 'missing' } });
  }

  @Get('bug')
  bug() {
    const thing = undefined as unknown as { name: string };
    return thing.name; // a TypeError naming internals
  }

  @Get('broken')
  broken() {
    throw new FluxError('internal', 'THING_CORRUPT', 'row 17 of thing_store has a NULL id', { cause: new Error('pg: constraint') });
  }

  @Get('nest')
  nest() {
    throw new BadRequestException(['a must be set', 'b must be a number']);
  }

  @Get('search')
  search(@Query(new ZodValidationPipe(z.object({ limit: z.coerce.number().int().max(200) }))) query: { limit: number }) {
    return query;
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

  afterEach(() => vi.restoreAllMocks());

  const asQuery = { headers: { authorization: `Bearer ${QUERY_TOKEN}` } };

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

  it('answers /health/ready like /health and /health/live with 200', async () => {
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(Object.keys(((await ready.json()) as HealthBody).details).sort()).toEqual(['archive', 'kinesis', 'lag', 'postgres', 'sqs']);
    const live = await fetch(`${base}/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
  });

  it('answers 200 but lists a degraded check, with its details', async () => {
    const body = (await (await fetch(`${base}/health`)).json()) as HealthBody;
    expect(body.degraded).toEqual(['lag']);
    expect(body.details.lag).toEqual({ status: 'up', degraded: true, oldestUnarchivedMs: 1234 });
  });

  it('serves Prometheus metrics labelled with the service', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="catalog"\}/);
    expect(text).not.toMatch(/^flux_process_/m);
    // the readiness checks, run at scrape: all up here (lag is degraded, which is still up)
    for (const check of ['archive', 'kinesis', 'lag', 'postgres', 'sqs']) expect(text).toMatch(new RegExp(`^flux_health_check_up\\{[^}]*check="${check}"[^}]*\\} 1$`, 'm'));
  });

  it('counts HTTP requests by route template and status class', async () => {
    await fetch(`${base}/v1/things`);
    await fetch(`${base}/no/such/route`);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^flux_http_request_duration_seconds_count\{service="catalog",method="GET",route="\/v1\/things",status_class="4xx"\} [1-9]/m);
    expect(text).toMatch(/^flux_http_request_duration_seconds_count\{service="catalog",method="GET",route="unmatched",status_class="4xx"\} [1-9]/m);
    expect(text).not.toMatch(/route="\/no\/such\/route"/);
  });

  it('answers 401 without a token, 401 for an unknown one, 403 without the role, 200 with it', async () => {
    expect((await fetch(`${base}/v1/things`)).status).toBe(401);
    expect((await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${'x'.repeat(24)}` } })).status).toBe(401);
    const forbidden = await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${REPLAY_TOKEN}` } });
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ status: 403, code: 'FORBIDDEN', type: 'urn:flux-capacitor:problem:forbidden' });
    const ok = await fetch(`${base}/v1/things`, { headers: { authorization: `Bearer ${QUERY_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ things: [1, 2] });
  });

  it('answers a FluxError as an RFC 9457 problem with the status of its kind, its code and details', async () => {
    const res = await fetch(`${base}/v1/things/missing?x=1`, asQuery);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toEqual({
      type: 'urn:flux-capacitor:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'no such thing',
      instance: '/v1/things/missing',
      code: 'THING_NOT_FOUND',
      details: { thing: 'missing' },
    });
  });

  it('answers an unknown error (a bug) with 500 and a generic detail, and logs it with its stack', async () => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = await fetch(`${base}/v1/things/bug`, asQuery);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      type: 'urn:flux-capacitor:problem:internal',
      title: 'Internal error',
      status: 500,
      detail: 'internal error; the service log has the details',
      instance: '/v1/things/bug',
      code: 'INTERNAL',
    });
    expect(logged).toHaveBeenCalledTimes(1);
    const [fields] = logged.mock.calls[0] as [{ err: Error; path: string }];
    expect(fields.err).toBeInstanceOf(TypeError);
    expect(fields.err.stack).toMatch(/ThingsController\.bug/);
    expect(fields.path).toBe('/v1/things/bug');
  });

  it('keeps the message of an internal FluxError out of the answer but logs it with its cause', async () => {
    const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const res = await fetch(`${base}/v1/things/broken`, asQuery);
    expect(res.status).toBe(500);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'INTERNAL', detail: 'internal error; the service log has the details' });
    expect(JSON.stringify(body)).not.toContain('thing_store');
    expect(JSON.stringify(body)).not.toContain('THING_CORRUPT');
    const [fields] = logged.mock.calls[0] as [{ err: FluxError }];
    expect(fields.err.code).toBe('THING_CORRUPT');
    expect((fields.err.cause as Error).message).toBe('pg: constraint');
  });

  it("answers Nest's own exceptions (validation, unknown routes) in the same problem shape", async () => {
    const nest = await fetch(`${base}/v1/things/nest`, asQuery);
    expect(nest.status).toBe(400);
    expect(await nest.json()).toEqual({
      type: 'urn:flux-capacitor:problem:invalid-input',
      title: 'Invalid input',
      status: 400,
      detail: 'a must be set; b must be a number',
      instance: '/v1/things/nest',
      code: 'BAD_REQUEST',
    });
    const route = await fetch(`${base}/v1/nowhere`);
    expect(route.status).toBe(404);
    expect(route.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await route.json()).toMatchObject({ status: 404, code: 'NOT_FOUND', type: 'urn:flux-capacitor:problem:not-found', instance: '/v1/nowhere' });
  });

  it('refuses input that fails its zod schema with 400, naming each issue', async () => {
    const res = await fetch(`${base}/v1/things/search?limit=500`, asQuery);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: string; detail: string; details: { issues: { path: string }[] } };
    expect(body.code).toBe('INVALID_REQUEST');
    expect(body.detail).toMatch(/^limit: /);
    expect(body.details.issues.map((i) => i.path)).toEqual(['limit']);
    expect(await (await fetch(`${base}/v1/things/search?limit=20`, asQuery)).json()).toEqual({ limit: 20 });
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
      // Ready fails the same way; live stays 200, so an orchestrator does not restart the task while SQS is away.
      const ready = await fetch(`${await app.getUrl()}/health/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as HealthBody).error.sqs.status).toBe('down');
      const live = await fetch(`${await app.getUrl()}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
    } finally {
      await app.close();
      await db.drop();
    }
  });
});
