import { CreateStreamCommand, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { isListening, startLocalStack } from '@flux-capacitor/local-stack';
import { getStack } from '@flux-capacitor/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../../../..');

describe('local stack with kinesis-local (kinesis-mock)', () => {
  it('is gone when stop() resolves, even while a client still holds a keep-alive connection', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-stack-kinesis-local-'));
    const stack = await startLocalStack({ dataDir, kinesis: 'kinesis-local', databaseUrl: getStack().adminDatabaseUrl });
    const kinesis = createKinesisClient({ region: stack.endpoints.region, endpoints: { kinesis: stack.endpoints.kinesis }, s3ForcePathStyle: true });
    try {
      const port = Number(new URL(stack.endpoints.kinesis).port);
      await kinesis.send(new CreateStreamCommand({ StreamName: 'keep-alive', ShardCount: 1 }));
      await expect(kinesis.send(new ListStreamsCommand({}))).resolves.toHaveProperty('StreamNames', ['keep-alive']);
      // The client's socket stays open (keep-alive): kinesis-mock's own graceful shutdown would wait up to 30 s for it.
      await stack.stop();
      expect(await isListening(port)).toBe(false);
    } finally {
      kinesis.destroy();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);

  it('takes kinesis-mock down with it when the stack process is killed with kill -9', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-stack-kinesis-local-kill-'));
    const options = { dataDir, kinesis: 'kinesis-local', databaseUrl: getStack().adminDatabaseUrl };
    const script = `require('@flux-capacitor/local-stack').startLocalStack(${JSON.stringify(options)}).then((s) => console.log(s.endpoints.kinesis))`;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const port = Number(new URL(await new Promise<string>((res) => createInterface({ input: child.stdout }).once('line', res))).port);
      expect(await isListening(port)).toBe(true);
      child.kill('SIGKILL');
      await vi.waitFor(async () => expect(await isListening(port)).toBe(false), { timeout: 15_000, interval: 200 });
    } finally {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});
