import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { createTestDatabase, getStack, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

describe('a service process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('starts with its queues created, serves /health and /metrics, and exits 0 on SIGTERM', async () => {
    const bucket = uniqueName('svc');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/a`, LOG_LEVEL: 'info' });
    const stack = getStack();
    const aws = { region: stack.region, endpoints: { s3: stack.s3, sqs: stack.sqs }, s3ForcePathStyle: true };
    await createS3Client(aws).send(new CreateBucketCommand({ Bucket: bucket }));
    const service = await startServiceProcess('replay-coordinator', env);
    try {
      const health = (await (await fetch(`${service.url}/health`)).json()) as { status: string };
      expect(health.status).toBe('ok');
      expect(await (await fetch(`${service.url}/metrics`)).text()).toContain('service="replay-coordinator"');

      const sqs = createSqsClient(aws);
      for (const name of [`${env.FLUX_SQS_QUEUE_PREFIX}replay-coordinator`, `${env.FLUX_SQS_QUEUE_PREFIX}replay-coordinator-dlq`]) {
        await expect(sqs.send(new GetQueueUrlCommand({ QueueName: name }))).resolves.toHaveProperty('QueueUrl');
      }
      // Every log line is one JSON object naming the service.
      for (const line of service.logs().trim().split('\n')) expect(JSON.parse(line)).toMatchObject({ service: 'replay-coordinator' });
    } finally {
      expect(await service.stop()).toBe(0);
    }
  });
});
