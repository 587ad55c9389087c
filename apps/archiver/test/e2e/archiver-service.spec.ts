import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createArchiveStore, readArchiveObject } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createStream, createTestDatabase, startServiceProcess, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

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
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_ARCHIVER_STREAMS: stream,
      FLUX_BUFFER_INTERVAL_SECONDS: '900',
      FLUX_LEASE_HEARTBEAT_SECONDS: '1',
      FLUX_LEASE_DURATION_SECONDS: '5',
    });
    const config = loadConfig(env);
    const kinesis = createKinesisClient(config.aws);
    const s3 = createS3Client(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await createStream(kinesis, stream, 2);
    await kinesis.send(
      new PutRecordsCommand({ StreamName: stream, Records: Array.from({ length: 80 }, (_, i) => ({ PartitionKey: `k${i}`, Data: Buffer.from(`{"i":${i}}`) })) }),
    );

    const service = await startServiceProcess('archiver', env);
    try {
      // Both shards leased and every record read into the (not yet flushed: 900 s interval) buffers.
      const health = await vi.waitFor(
        async () => {
          const res = await fetch(`${service.url}/health`);
          // Terminus layout: details.<check> holds each check's status and fields.
          const body = (await res.json()) as { details: { archiver: { status: string; shards: { oldestUnarchivedAgeMs: number }[] } } };
          const shards = body.details.archiver?.shards ?? [];
          if (shards.length !== 2 || !shards.every((s) => s.oldestUnarchivedAgeMs > 0)) throw new Error(`shards on /health: ${JSON.stringify(shards)}`);
          return body;
        },
        { timeout: 60_000, interval: 250 },
      );
      expect(health.details.archiver.status).toBe('up');
      expect(health.details.archiver.shards).toHaveLength(2);
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toContain(`flux_archiver_behind_latest_seconds{stream="${stream}"`);

      expect(await service.stop(), service.logs().slice(-2000)).toBe(0);

      const store = createArchiveStore(config.archive, s3);
      let rows = 0;
      for await (const o of store.list(`${stream}/`)) rows += (await readArchiveObject(store, o.key)).length;
      expect(rows).toBe(80);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- service output ---\n${service.logs().slice(-3000)}`, { cause: error });
    } finally {
      if (service.child.exitCode === null) service.child.kill('SIGKILL');
      kinesis.destroy();
      s3.destroy();
    }
  }, 180_000);
});
