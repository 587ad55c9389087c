import { CreateStreamCommand, ListStreamsCommand, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { createKinesisClient, createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { getStack, uniqueName } from '@flux-capacitor/testing';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { isListening, startLocalStack, waitForStreamActive } from '@flux-capacitor/local-stack';

const ROOT = resolve(__dirname, '../../../..');

describe('local stack', () => {
  it('answers the AWS SDK on every emulator endpoint', async () => {
    const s = getStack();
    const aws = { region: s.region, endpoints: { kinesis: s.kinesis, sqs: s.sqs, s3: s.s3 }, s3ForcePathStyle: true };
    await expect(createKinesisClient(aws).send(new ListStreamsCommand({}))).resolves.toHaveProperty('StreamNames');
    await expect(createSqsClient(aws).send(new ListQueuesCommand({}))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
    const Bucket = uniqueName('stack');
    await createS3Client(aws).send(new CreateBucketCommand({ Bucket }));
    await expect(createS3Client(aws).send(new HeadBucketCommand({ Bucket }))).resolves.toMatchObject({ $metadata: { httpStatusCode: 200 } });
  });

  it('takes its emulators down with it when its process is killed with kill -9', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-stack-kill-'));
    const script = `require('@flux-capacitor/local-stack').startLocalStack({ dataDir: ${JSON.stringify(dataDir)}, databaseUrl: ${JSON.stringify(getStack().adminDatabaseUrl)} }).then((s) => console.log(JSON.stringify(s.endpoints)))`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((res) => createInterface({ input: child.stdout }).once('line', res));
      const endpoints = JSON.parse(line) as { kinesis: string; sqs: string; s3: string };
      const ports = [endpoints.kinesis, endpoints.sqs, endpoints.s3].map((u) => Number(new URL(u).port));
      for (const port of ports) expect(await isListening(port)).toBe(true);

      child.kill('SIGKILL');
      const listening = async () => (await Promise.all(ports.map(async (p) => ((await isListening(p)) ? p : 0)))).filter(Boolean);
      await vi.waitFor(async () => expect(await listening()).toEqual([]), { timeout: 15_000, interval: 200 });
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it.each([
    ['keeps kinesalite streams and sequence numbers across a restart with persistKinesis', true],
    ['keeps kinesalite in memory by default, leaving nothing in the data dir', false],
  ])('%s', async (_name, persistKinesis) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-stack-kinesis-'));
    const start = () => startLocalStack({ dataDir, databaseUrl: getStack().adminDatabaseUrl, persistKinesis });
    const client = (endpoint: string) => createKinesisClient({ region: 'us-east-1', endpoints: { kinesis: endpoint }, s3ForcePathStyle: true });
    try {
      let stack = await start();
      let kinesis = client(stack.endpoints.kinesis);
      await kinesis.send(new CreateStreamCommand({ StreamName: 'kept', ShardCount: 1 }));
      await waitForStreamActive(kinesis, 'kept');
      const before = await kinesis.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'k', Data: Buffer.from('1') }));
      kinesis.destroy();
      await stack.stop();

      stack = await start();
      kinesis = client(stack.endpoints.kinesis);
      try {
        expect((await kinesis.send(new ListStreamsCommand({}))).StreamNames).toEqual(persistKinesis ? ['kept'] : []);
        expect(existsSync(join(dataDir, 'kinesis'))).toBe(persistKinesis);
        if (persistKinesis) {
          const after = await kinesis.send(new PutRecordCommand({ StreamName: 'kept', PartitionKey: 'k', Data: Buffer.from('2') }));
          expect(BigInt(after.SequenceNumber as string) > BigInt(before.SequenceNumber as string)).toBe(true);
        }
      } finally {
        kinesis.destroy();
        await stack.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
