import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createArchiveStore, readArchiveObject } from '@flux-capacitor/archive';
import { createKinesisClient, createS3Client } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createStream, createTestDatabase, putInOrder, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');

describe('fluxcap archive --once', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db.drop();
  });

  async function streamWithRecords(env: Record<string, string>, count: number): Promise<string> {
    const kinesis = createKinesisClient(loadConfig(env).aws);
    const stream = await createStream(kinesis, uniqueName('cli'), 2);
    await putInOrder(kinesis, stream, Array.from({ length: count }, (_, i) => ({ key: `k${i}`, data: JSON.stringify({ i }) })));
    kinesis.destroy();
    return stream;
  }

  function fluxcap(env: Record<string, string>, args: string[]) {
    return spawnSync(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  }

  it('drains a stream into a file:// archive and prints a JSON summary with per-shard last sequence', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'flux-cli-archive-'));
    try {
      const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${dir}`, FLUX_BUFFER_INTERVAL_SECONDS: '1' });
      const stream = await streamWithRecords(env, 120);
      const run = fluxcap(env, ['archive', '--stream', stream, '--once', '--json']);
      expect(run.stderr).not.toMatch(/"level":"error"/);
      expect(run.status).toBe(0);
      const summary = JSON.parse(run.stdout);
      expect(summary).toMatchObject({ stream, records: 120 });
      // Both shards' records share objects (layout 2): at most one object per shard, at least one in all.
      expect(summary.objects).toBeGreaterThanOrEqual(1);
      expect(summary.objects).toBeLessThanOrEqual(2);
      expect(summary.shards).toHaveLength(2);
      for (const s of summary.shards) {
        expect(s.lastSequenceNumber).toMatch(/^\d+$/);
        expect(s.objects).toBeGreaterThanOrEqual(1);
      }
      const store = createArchiveStore(loadConfig(env).archive);
      let rows = 0;
      for await (const o of store.list(`${stream}/`)) rows += (await readArchiveObject(store, o.key)).length;
      expect(rows).toBe(120);

      const again = fluxcap(env, ['archive', '--stream', stream, '--once', '--json']);
      expect(again.status).toBe(0);
      expect(JSON.parse(again.stdout).records).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('drains a stream into the S3 archive of the local stack', async () => {
    const bucket = uniqueName('flux-cli');
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `s3://${bucket}/a` });
    const s3 = createS3Client(loadConfig(env).aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    s3.destroy();
    const stream = await streamWithRecords(env, 50);
    const run = fluxcap(env, ['archive', '--stream', stream, '--once']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`${stream}: 50 records in`);
  });

  it('exits non-zero with one line naming a missing stream', () => {
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: 'file:///tmp/flux-none' });
    const run = fluxcap(env, ['archive', '--stream', 'missing-stream-q', '--once']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n').pop()).toMatch(/fluxcap: .*"missing-stream-q" does not exist/);
  });
});
