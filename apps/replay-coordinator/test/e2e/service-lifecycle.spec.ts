import { getStack, createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { freePort } from '@flux-capacitor/local-stack';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

async function waitHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service never became healthy');
}

describe('a service process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('starts with its queues created, serves /health and /metrics, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const bucket = uniqueName('svc');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/a`, PORT: String(port), LOG_LEVEL: 'info' });
    const stack = getStack();
    const aws = { region: stack.region, endpoints: { s3: stack.s3, sqs: stack.sqs }, s3ForcePathStyle: true };
    await createS3Client(aws).send(new CreateBucketCommand({ Bucket: bucket }));
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/replay-coordinator/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout?.on('data', (d) => (logs += d));
    child.stderr?.on('data', (d) => (logs += d));
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitHealthy(url, child);
      const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      expect(await (await fetch(`${url}/metrics`)).text()).toContain('service="replay-coordinator"');

      const sqs = createSqsClient(aws);
      for (const name of [`${env.FLUX_SQS_QUEUE_PREFIX}replay-coordinator`, `${env.FLUX_SQS_QUEUE_PREFIX}replay-coordinator-dlq`]) {
        await expect(sqs.send(new GetQueueUrlCommand({ QueueName: name }))).resolves.toHaveProperty('QueueUrl');
      }
      // Every log line is one JSON object naming the service.
      const lines = logs.trim().split('\n');
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'replay-coordinator' });

      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
