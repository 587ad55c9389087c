import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
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
      await new CatalogWriter(ds).registerObject(upgradeArchiveObjectWritten({
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
      }));
    } finally {
      await ds.destroy();
    }

    const gateway = await startServiceProcess('query-gateway', env);
    const cacheDir = join(workDir, 's3-cache');
    const cached = () => (existsSync(cacheDir) ? readdirSync(cacheDir).filter((f) => f.endsWith('.parquet')) : []);
    try {
      expect(cached()).toEqual([]);
      const sqs = createSqsClient(config.aws);
      await new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'catalog' }).publish('catalog.partition.added', {
        stream: 'orders',
        dt: '2026-11-25',
        hour: 7,
        location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=07`,
      });
      await vi.waitFor(() => expect(cached()).toHaveLength(1), { timeout: 30_000, interval: 200 });
      await vi.waitFor(() => expect(gateway.logs()).toMatch(/"msg":"partition prefetched".*"fetched":1/), { timeout: 10_000, interval: 200 });
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
  });
});
