import { Body, Controller, Module, Post, type INestApplication } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { ProblemDetailsFilter } from '../errors/problem-details.filter';
import { useBodyLimit } from './body-limit';

const LIMIT = 4096;
const received: unknown[] = [];

@Controller()
class EchoController {
  @Post('echo')
  echo(@Body() body: unknown) {
    received.push(body);
    return { ok: true };
  }
}

@Module({ controllers: [EchoController], providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }] })
class EchoModule {}

let app: INestApplication;
let base: string;

const post = (body: string, contentType = 'application/json') => fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': contentType }, body });

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ imports: [EchoModule] }).compile();
  app = moduleRef.createNestApplication({ logger: false });
  useBodyLimit(app, LIMIT);
  await app.listen(0, '127.0.0.1');
  base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
});

afterAll(async () => {
  await app?.close();
});

beforeEach(() => {
  received.length = 0;
});

describe('request bodies', () => {
  it("answers malformed JSON with 400 MALFORMED_JSON naming the parser's complaint, and never reaches the handler", async () => {
    const res = await post('{"sql": "SELECT 1",');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const body = (await res.json()) as { code: string; detail: string; instance: string };
    expect(body).toMatchObject({ code: 'MALFORMED_JSON', instance: '/echo', type: 'urn:flux-capacitor:problem:invalid-input' });
    expect(body.detail).toMatch(/^the request body is not valid JSON: .*JSON/);
    expect(received).toEqual([]);
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE naming the limit and the setting', async () => {
    const res = await post(JSON.stringify({ sql: `SELECT '${'x'.repeat(LIMIT)}'` }));
    expect(res.status).toBe(413);
    const body = (await res.json()) as { code: string; detail: string; details: { limit: number; length: number } };
    expect(body.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.detail).toContain(`limit of ${LIMIT} bytes (FLUX_API_MAX_BODY_BYTES)`);
    expect(body.details.limit).toBe(LIMIT);
    expect(body.details.length).toBeGreaterThan(LIMIT);
    expect(received).toEqual([]);
  });

  it('refuses an oversized form body the same way', async () => {
    const res = await post(`a=${'x'.repeat(LIMIT)}`, 'application/x-www-form-urlencoded');
    expect(res.status).toBe(413);
  });

  it('accepts a body up to the limit', async () => {
    const body = JSON.stringify({ sql: 'x'.repeat(LIMIT - 20) });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(LIMIT);
    expect((await post(body)).status).toBe(201);
    expect(received).toHaveLength(1);
  });
});
