import { ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { isListening } from '@flux-capacitor/local-stack';
import { getStack } from '@flux-capacitor/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(__dirname, '../../../..');

describe('fluxcap stack', () => {
  it('prints every endpoint as one JSON line, writes dev.env, and stops every emulator on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'flux-stack-e2e-'));
    const child = spawn(process.execPath, [join(ROOT, 'apps/cli/bin/fluxcap.js'), 'stack', '--random-ports', '--data-dir', dataDir], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: getStack().adminDatabaseUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((res) => createInterface({ input: child.stdout }).once('line', res));
      const endpoints = JSON.parse(line) as Record<string, string>;
      expect(Object.keys(endpoints)).toEqual(expect.arrayContaining(['kinesis', 'sqs', 's3', 'databaseUrl', 'region', 'archiveUri', 'envFile']));
      const env = readFileSync(join(dataDir, 'dev.env'), 'utf8');
      for (const key of ['AWS_ENDPOINT_URL_KINESIS', 'AWS_ENDPOINT_URL_SQS', 'AWS_ENDPOINT_URL_S3', 'DATABASE_URL', 'FLUX_ARCHIVE_URI']) {
        expect(env).toMatch(new RegExp(`^export ${key}='[^']+'$`, 'm'));
      }
      const kinesis = createKinesisClient({ region: endpoints.region, endpoints: { kinesis: endpoints.kinesis }, s3ForcePathStyle: true });
      await expect(kinesis.send(new ListStreamsCommand({}))).resolves.toHaveProperty('StreamNames');
      kinesis.destroy();

      const ports = [endpoints.kinesis, endpoints.sqs, endpoints.s3].map((u) => Number(new URL(u).port));
      child.kill('SIGTERM');
      await vi.waitFor(() => expect(child.exitCode).not.toBeNull(), { timeout: 30_000, interval: 100 });
      expect(child.exitCode).toBe(0);
      for (const port of ports) expect(await isListening(port)).toBe(false);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
