import { randomUUID } from 'node:crypto';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { MessageContracts } from '@flux-capacitor/contracts';
import { createTestDatabase, receiveDeadLetters, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

const TOKEN = 'replay-bad-input-token-0123456789';

describe('replay coordinator: bad input (process, local stack)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('answers bad HTTP input with 4xx and writes nothing, dead-letters poison lifecycle events and keeps serving', async () => {
    const bucket = uniqueName('flux-replay-bad');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/archive`, FLUX_API_TOKENS: `${TOKEN}:replay+query` });
    const config = loadConfig(env);
    await createS3Client(config.aws).send(new CreateBucketCommand({ Bucket: bucket }));
    const sqs = createSqsClient(config.aws);
    const service = await startServiceProcess('replay-coordinator', env);
    const call = (method: string, path: string, body?: string) =>
      fetch(`${service.url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body });
    const problem = async (res: Response) => ({ status: res.status, ...((await res.json()) as { code: string; detail: string }) });
    try {
      expect(await problem(await call('POST', '/v1/replays', '{"source": "orders",'))).toMatchObject({ status: 400, code: 'MALFORMED_JSON' });
      expect(await problem(await call('POST', '/v1/replays', JSON.stringify({ source: 'orders', where: 'x'.repeat(1024 * 1024) })))).toMatchObject({
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      });
      for (const source of ['/etc/passwd', '../orders', 's'.repeat(129), '']) {
        const res = await problem(await call('POST', '/v1/replays', JSON.stringify({ source })));
        expect(res, source).toMatchObject({ status: 400 });
        expect(res.detail).toMatch(/source/);
      }
      const junkCursor = Buffer.from('42').toString('base64url');
      for (const qs of ['limit=-1', 'limit=0', 'limit=100000', 'limit=abc', 'state=exploded', `cursor=${junkCursor}`, 'cursor=%%%']) {
        expect((await call('GET', `/v1/replays?${qs}`)).status, qs).toBe(400);
      }
      for (const id of ['not-a-uuid', '1']) {
        expect((await call('GET', `/v1/replays/${id}`)).status, id).toBe(400);
        expect((await call('POST', `/v1/replays/${id}/pause`)).status, id).toBe(400);
      }
      expect((await call('GET', `/v1/replays/${randomUUID()}`)).status).toBe(404);
      // nothing was written
      expect(((await (await call('GET', '/v1/replays')).json()) as { items: unknown[] }).items).toEqual([]);

      const queue = `${config.sqs.queuePrefix}replay-coordinator`;
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      const poison = {
        'malformed-json': 'replay everything!',
        'invalid-payload': JSON.stringify({
          id: randomUUID(),
          type: 'replay.lifecycle',
          version: MessageContracts['replay.lifecycle'].version,
          correlationId: 'poison',
          occurredAt: new Date().toISOString(),
          producer: 'test',
          payload: { replayId: 'not-a-uuid', event: 'exploded' },
        }),
      };
      for (const body of Object.values(poison)) await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      const dead = await receiveDeadLetters(sqs, queue, 2);
      expect(Object.fromEntries(dead.map((m) => [m.reason, m.body]))).toEqual(poison);
      expect((await fetch(`${service.url}/health`)).status).toBe(200);
      expect((await call('GET', '/v1/replays')).status).toBe(200);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- logs ---\n${service.logs().slice(-4000)}`, { cause: err });
    } finally {
      expect(await service.stop()).toBe(0);
      sqs.destroy();
    }
  });
});
