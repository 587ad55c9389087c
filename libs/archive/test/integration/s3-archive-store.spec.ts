import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, UploadPartCommand, CompleteMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { createArchiveStore, readAll, readArchiveObject, ParquetEngine, S3ArchiveStore, ArchiveObjectNotFoundError } from '@flux-capacitor/archive';
import { createS3Client } from '@flux-capacitor/aws';
import { freePort } from '@flux-capacitor/local-stack';
import { testConfig, uniqueName } from '@flux-capacitor/testing';

describe('S3ArchiveStore against the local S3', () => {
  const bucket = uniqueName('flux-arch');
  const config = testConfig({ FLUX_ARCHIVE_URI: `s3://${bucket}/archive/v1` });
  const s3 = createS3Client(config.aws);
  let store: S3ArchiveStore;
  let work: string;

  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    store = createArchiveStore(config.archive, s3, { partSizeBytes: 5 * 1024 * 1024, pageSize: 2 }) as S3ArchiveStore;
    work = mkdtempSync(join(tmpdir(), 'flux-s3-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('uploads a large object in parts and reads it back byte for byte', async () => {
    const content = randomBytes(11 * 1024 * 1024 + 17);
    const path = join(work, 'big');
    writeFileSync(path, content);
    const key = 'orders/dt=2026-11-25/hour=07/shardId-000000000000-1-999.parquet';
    const send = vi.spyOn(s3, 'send');
    const info = await store.put(key, path);
    const sent = send.mock.calls.map(([command]) => command);
    send.mockRestore();
    expect(sent.filter((c) => c instanceof UploadPartCommand)).toHaveLength(3);
    expect(sent.filter((c) => c instanceof CompleteMultipartUploadCommand)).toHaveLength(1);
    expect(info.size).toBe(content.length);
    expect((await store.head(key))?.size).toBe(content.length);
    expect((await readAll(await store.getStream(key))).equals(content)).toBe(true);
    expect(store.uri(key)).toBe(`s3://${bucket}/archive/v1/${key}`);
    expect(store.keyOf(store.uri(key))).toBe(key);
    expect(store.keyOf(`s3://${bucket}/other/${key}`)).toBeNull();
    expect(store.localPath(key)).toBeNull();
    await store.getToFile(key, join(work, 'copy/big'));
    expect(readFileSync(join(work, 'copy/big')).equals(content)).toBe(true);
  });

  it('lists keys under a prefix across pages, relative to the archive root', async () => {
    const path = join(work, 'small');
    writeFileSync(path, 'x');
    const keys = [1, 2, 3, 4, 5].map((i) => `listing/dt=2026-11-25/hour=0${i}/s-${i}-${i}.parquet`);
    for (const k of keys) await store.put(k, path);
    const listed: string[] = [];
    for await (const o of store.list('listing/')) listed.push(o.key);
    expect(listed).toEqual(keys);
  });

  it('reports missing objects as absent and not found', async () => {
    expect(await store.head('nope/x.parquet')).toBeNull();
    await expect(store.getToFile('nope/x.parquet', join(work, 'n'))).rejects.toBeInstanceOf(ArchiveObjectNotFoundError);
    const path = join(work, 'gone');
    writeFileSync(path, 'y');
    await store.put('gone/x.parquet', path);
    await store.delete('gone/x.parquet');
    expect(await store.exists('gone/x.parquet')).toBe(false);
  });

  it('stores Parquet written by the engine so that it reads back identically', async () => {
    const engine = await ParquetEngine.create({ threads: 1 });
    try {
      const records = Array.from({ length: 1000 }, (_, i) => ({
        stream: 'orders',
        shardId: 'shardId-000000000001',
        sequenceNumber: String(10n ** 50n + BigInt(i)),
        subSequenceNumber: 0,
        partitionKey: `pk-${i % 7}`,
        explicitHashKey: null,
        arrivalTime: Date.UTC(2026, 10, 25, 7, 0, 0, i),
        data: randomBytes(i % 50),
      }));
      const path = join(work, 'rows.parquet');
      await engine.write(records, path);
      const key = 'orders/dt=2026-11-25/hour=07/shardId-000000000001-x.parquet';
      await store.put(key, path);
      const back = await readArchiveObject(store, key, engine);
      expect(back).toHaveLength(1000);
      expect(back.every((r, i) => Buffer.from(r.data).equals(records[i].data) && r.sequenceNumber === records[i].sequenceNumber)).toBe(true);
    } finally {
      engine.close();
    }
  });

  it('reports S3 that does not answer as unavailable (retry later), keeping the SDK error as the cause', async () => {
    const port = await freePort();
    const down = new S3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, forcePathStyle: true, maxAttempts: 1, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    const broken = createArchiveStore(config.archive, down) as S3ArchiveStore;
    const path = join(work, 'unsent');
    writeFileSync(path, 'z');
    for (const attempt of [() => broken.head('a/b.parquet'), () => broken.getToFile('a/b.parquet', join(work, 'u')), () => broken.put('a/b.parquet', path), async () => {
      for await (const _ of broken.list('a/')) break;
    }]) {
      const error = await attempt().then(() => null, (e: unknown) => e);
      expect(error).toMatchObject({ kind: 'unavailable', code: 'ARCHIVE_UNAVAILABLE' });
      expect((error as Error).cause).toBeInstanceOf(Error);
    }
    down.destroy();
  });
});
