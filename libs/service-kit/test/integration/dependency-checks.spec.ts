import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import { freePort } from '@flux-capacitor/local-stack';
import { testConfig, uniqueName } from '@flux-capacitor/testing';
import { sqsCheck } from '../../src/health/dependency-checks';

describe('sqsCheck', () => {
  it('reports SQS up with the number of queues under the prefix, and down when nothing answers', async () => {
    const config = testConfig();
    const sqs = createSqsClient(config.aws);
    const prefix = `${uniqueName('chk')}-`;
    await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}a` }));
    expect(await sqsCheck(sqs, prefix)()).toEqual({ status: 'up', queues: 1 });
    sqs.destroy();

    const nowhere = createSqsClient({ ...config.aws, endpoints: { ...config.aws.endpoints, sqs: `http://127.0.0.1:${await freePort()}` } });
    expect(await sqsCheck(nowhere, prefix)()).toMatchObject({ status: 'down', error: expect.any(String) });
    nowhere.destroy();
  });
});
