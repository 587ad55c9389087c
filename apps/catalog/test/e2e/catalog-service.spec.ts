import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ParquetEngine, archiveObjectKey, createArchiveStore, partitionOf, type ArchiveStore } from '@flux-capacitor/archive';
import type { ArchiveObjectWritten, ArchiveRecord } from '@flux-capacitor/contracts';
import { createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { freePort } from '@flux-capacitor/local-stack';
import { SqsPublisher } from '@flux-capacitor/sqs-transport';
import { createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';

const ROOT = resolve(__dirname, '../../../..');
const TOKEN = 'catalog-e2e-token-0123456789';
const enc = new TextEncoder();


/** Records of one shard: JSON objects (or raw strings) arriving one second apart from `start`. */
function records(stream: string, shardId: string, firstSeq: bigint, start: string, bodies: (object | string)[]): ArchiveRecord[] {
  return bodies.map((b, i) => ({
    stream,
    shardId,
    sequenceNumber: (firstSeq + BigInt(i)).toString(),
    subSequenceNumber: 0,
    partitionKey: `pk-${i}`,
    explicitHashKey: null,
    arrivalTime: Date.parse(start) + i * 1000,
    data: enc.encode(typeof b === 'string' ? b : JSON.stringify(b)),
  }));
}

/** Writes records as one archive object the way the archiver does; returns the message it would publish. */
async function writeArchiveObject(store: ArchiveStore, engine: ParquetEngine, rs: ArchiveRecord[]): Promise<ArchiveObjectWritten> {
  const first = rs[0];
  const last = rs[rs.length - 1];
  const partition = partitionOf(first.arrivalTime);
  const key = archiveObjectKey({
    stream: first.stream,
    shardId: first.shardId,
    firstSequenceNumber: first.sequenceNumber,
    lastSequenceNumber: last.sequenceNumber,
    ...partition,
  });
  const dir = await mkdtemp(join(tmpdir(), 'flux-catalog-fixture-'));
  try {
    const path = join(dir, 'o.parquet');
    await engine.write(rs, path);
    const info = await store.put(key, path);
    return {
      objectUri: store.uri(key),
      stream: first.stream,
      shardId: first.shardId,
      firstSequenceNumber: first.sequenceNumber,
      lastSequenceNumber: last.sequenceNumber,
      firstArrivalTime: new Date(first.arrivalTime).toISOString(),
      lastArrivalTime: new Date(last.arrivalTime).toISOString(),
      dt: partition.dt,
      hour: partition.hour,
      recordCount: rs.length,
      bytes: info.size,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`catalog exited with ${child.exitCode} while waiting for ${what}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('catalog service (process, local stack)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('catalogues archive.object.written from SQS once, announces catalog.partition.added, and serves /v1/streams', async () => {
    const port = await freePort();
    const bucket = uniqueName('flux-cat-e2e');
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      PORT: String(port),
      FLUX_API_TOKENS: `${TOKEN}:query`,
      LOG_LEVEL: 'info',
    });
    const config = loadConfig(env);
    const s3 = createS3Client(config.aws);
    const sqs = createSqsClient(config.aws);
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const store = createArchiveStore(config.archive, s3);
    const engine = await ParquetEngine.create({ threads: 1 });
    const publisher = new SqsPublisher({ client: sqs, settings: config.sqs, producer: 'archiver' });

    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(ROOT, 'apps/catalog/src/main.ts')], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let logs = '';
    child.stdout?.on('data', (d) => (logs += d));
    child.stderr?.on('data', (d) => (logs += d));
    const url = `http://127.0.0.1:${port}`;
    const get = (path: string, token: string | null = TOKEN) =>
      fetch(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    try {
      await waitFor('health', async () => ((await fetch(`${url}/health`)).ok ? true : undefined), child);

      const msg = await writeArchiveObject(
        store,
        engine,
        records('orders', 'shardId-000000000000', 1000n, '2026-11-25T09:15:00.000Z', [{ id: 1, amount: 5 }, { id: 2, amount: 7.5, vip: true }]),
      );
      // the archiver retries: the same object is announced twice under two message ids
      await publisher.publish('archive.object.written', msg);
      await publisher.publish('archive.object.written', msg);

      const streams = await waitFor(
        'the stream in /v1/streams',
        async () => {
          const body = (await (await get('/v1/streams')).json()) as { streams: { name: string; objectCount: number; schemaVersion: number | null }[] };
          return body.streams.find((s) => s.name === 'orders' && s.schemaVersion !== null) ? body.streams : undefined;
        },
        child,
      );
      expect(streams).toEqual([
        expect.objectContaining({ name: 'orders', format: 'json', objectCount: 1, recordCount: 2, partitionCount: 1, schemaVersion: 1 }),
      ]);

      const partitions = (await (await get('/v1/streams/orders/partitions?from=2026-11-25T09:00:00Z&to=2026-11-25T09:59:59Z')).json()) as { partitions: unknown[] };
      expect(partitions.partitions).toEqual([
        expect.objectContaining({ dt: '2026-11-25', hour: 9, location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=09`, objectCount: 1, recordCount: 2 }),
      ]);
      expect(((await (await get('/v1/streams/orders/partitions?from=2026-11-25T10:00:00Z')).json()) as { partitions: unknown[] }).partitions).toEqual([]);

      const schema = (await (await get('/v1/streams/orders/schema')).json()) as { fields: { path: string; types: string[]; nullable: boolean }[] };
      expect(schema.fields.map((f) => [f.path, f.types, f.nullable])).toEqual([
        ['amount', ['integer', 'number'], false],
        ['id', ['integer'], false],
        ['vip', ['boolean'], true],
      ]);

      expect((await get('/v1/streams/nope/schema')).status).toBe(404);
      expect((await get('/v1/streams/orders/partitions?from=yesterday')).status).toBe(400);
      expect((await get('/v1/streams', null)).status).toBe(401);
      const openapi = (await (await fetch(`${url}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/v1/streams', '/v1/streams/{stream}/partitions', '/v1/streams/{stream}/schema']),
      );

      // exactly one catalog.partition.added reached the query gateway's queue
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}query-gateway` }));
      const bodies: { type: string; payload: unknown }[] = [];
      for (let i = 0; i < 3; i++) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        bodies.push(...(r.Messages ?? []).map((m) => JSON.parse(m.Body ?? '{}')));
      }
      expect(bodies.map((b) => [b.type, b.payload])).toEqual([
        ['catalog.partition.added', { stream: 'orders', dt: '2026-11-25', hour: 9, location: `s3://${bucket}/archive/orders/dt=2026-11-25/hour=09` }],
      ]);

      child.kill('SIGTERM');
      expect(await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))).toBe(0);
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- catalog logs ---\n${logs.slice(-4000)}`, { cause: err });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      engine.close();
      s3.destroy();
      sqs.destroy();
    }
  });
});
