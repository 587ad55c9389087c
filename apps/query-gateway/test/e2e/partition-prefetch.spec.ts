import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { CatalogWriter } from '@flux-capacitor/catalog';
import { loadConfig } from '@flux-capacitor/config';
import { freePort } from '@flux-capacitor/local-stack';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../../../..');

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode} while waiting for ${what}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('query gateway, catalog.partition.added', () => {
  let db: TestDatabase;
  let workDir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    workDir = mkdtempSync(join(tmpdir(), 'flux-gw-prefetch-'));
  });
  afterAll(async () => {
    await db.drop();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("fetches the new partition's S3 objects into the cache before any query asks for them", async () => {
    const bucket = uniqueName('flux-prefetch');
    const port = await freePort();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      PORT: String(port),
      FLUX_QUERY_WORK_DIR: workDir,
      LOG_LEVEL: 'info',
    });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    // The bytes do not matter: prefetching downloads, it does not parse.
    const key = 'archive/orders/dt=2026-11-25/hour=07/shardId-000000000000-1-2.parquet';
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from('PAR1 not really PAR1') }));
    const ds = await createDataSource(db.url).initialize();
    try {
      await new CatalogWriter(ds).registerObject({
        objectUri: `s3://${bucket}/${key}`,
        stream: 'orders',
        shardId: 'shardId-000000000000',
        firstSequenceNumber: '1',
        lastSequenceNumber: '2',
        firstArrivalTime: '2026-11-25T07:10:00.000Z',
        lastArrivalTime: '2026-11-25T07:20:00.000Z',
        dt: '2026-11-25',
        hour: 7,
        recordCount: 2,
        bytes: 20,
      });
    } finally {
      await ds.destroy();
    }

    const gateway = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/query-gateway/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    gateway.stdout?.on('data', (d) => (logs += d));
    gateway.stderr?.on('data', (d) => (logs += d));
    const cacheDir = join(workDir, 's3-cache');
    const cached = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.parquet')) : []);
    try {
      await until('the gateway to be healthy', async () => ((await fetch(`http://127.0.0.1:${port}/health`)).ok ? true : undefined), gateway);
      expect(cached()).toEqual([]);

      const sqs = createSqsClient(config.aws);
      await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'catalog' }).publish('catalog.partition.added', {
        stream: 'orders',
        dt: '2026-11-25',
        hour: 7,
        location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=07`,
      });

      await until('the object in the cache', () => (cached().length === 1 ? true : undefined), gateway, 30_000);
      await until('the prefetch log line', () => (/"msg":"partition prefetched".*"fetched":1/.test(logs) ? true : undefined), gateway, 10_000);
    } finally {
      gateway.kill('SIGTERM');
      await new Promise((r) => gateway.once('exit', r));
    }
    expect(gateway.exitCode).toBe(0);
  });
});
