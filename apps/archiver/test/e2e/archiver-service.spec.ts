import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CreateStreamCommand, DescribeStreamSummaryCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createArchiveStore, readArchiveObject } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { freePort } from '@flux-capacitor/local-stack';
import { createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

const ROOT = resolve(__dirname, '../../../..');

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('archiver service', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  it('archives its streams continuously, reports shards on /health, and flushes its buffers on SIGTERM', async () => {
    const bucket = uniqueName('flux-svc');
    const stream = uniqueName('svc');
    const port = await freePort();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_ARCHIVER_STREAMS: stream,
      FLUX_BUFFER_INTERVAL_SECONDS: '900',
      FLUX_LEASE_HEARTBEAT_SECONDS: '1',
      FLUX_LEASE_DURATION_SECONDS: '5',
      PORT: String(port),
    });
    const config = loadConfig(env);
    const kinesis = createKinesisClient(config.aws);
    const s3 = createS3Client(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await until('stream', async () =>
      (await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream }))).StreamDescriptionSummary?.StreamStatus === 'ACTIVE' ? true : undefined,
    );
    await kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 80 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`{"i":${i}}`) })) }),
    );

    const service = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/archiver/src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, ...env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.base.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    service.stdout.on('data', (d) => (output += d));
    service.stderr.on('data', (d) => (output += d));
    try {
      // Both shards leased and every record read into the (not yet flushed: 900 s interval) buffers.
      const health = await until('shards on /health', async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        // Terminus layout: details.<check> holds each check's status and fields.
        const body = (await res.json()) as { details: { archiver: { status: string; shards: { oldestUnarchivedAgeMs: number }[] } } };
        const shards = body.details.archiver?.shards ?? [];
        return shards.length === 2 && shards.every((s) => s.oldestUnarchivedAgeMs > 0) ? body : undefined;
      });
      expect(health.details.archiver.status).toBe('up');
      expect(health.details.archiver.shards).toHaveLength(2);
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain(`flux_archiver_millis_behind_latest{stream="${stream}"`);

      service.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => service.once('exit', r));
      expect(code, output.slice(-2000)).toBe(0);

      const store = createArchiveStore(config.archive, s3);
      let rows = 0;
      for await (const o of store.list(`${stream}/`)) rows += (await readArchiveObject(store, o.key)).length;
      expect(rows).toBe(80);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- service output ---\n${output.slice(-3000)}`);
    } finally {
      if (service.exitCode === null) service.kill('SIGKILL');
      kinesis.destroy();
      s3.destroy();
    }
  }, 180_000);
});
