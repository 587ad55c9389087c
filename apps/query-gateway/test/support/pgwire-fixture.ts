import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CreateStreamCommand, DeleteStreamCommand, GetRecordsCommand, GetShardIteratorCommand, PutRecordsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { DuckDBInstance, DuckDBTimestampValue } from '@duckdb/node-api';
import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { freePort } from '@flux-capacitor/local-stack';
import { createDataSource } from '@flux-capacitor/persistence';
import {
  createTestDatabase,
  registerArchiveObjects,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeSyntheticArchive,
  type ServiceProcess,
  type TestDatabase,
} from '@flux-capacitor/testing';

export const ALL_TOKEN = 'pg-all-streams-token-0123456789';
export const LIMITED_TOKEN = 'pg-orders-only-token-0123456789';
export const REPLAY_ONLY_TOKEN = 'pg-replay-only-token-0123456789';
export const ADMIN_TOKEN = 'pg-admin-token-0123456789';

/** Records put into Kinesis; the first ARCHIVED of them are also in an archive object, the rest only live. */
export const PRODUCED = 12;
export const ARCHIVED = 7;

export interface PgWireFixture {
  /** a Kinesis stream with PRODUCED records, ARCHIVED of them archived (catalogued) */
  orders: string;
  /** a catalogued stream LIMITED_TOKEN may not read */
  secret: string;
  gateway: ServiceProcess;
  pgPort: number;
  url(token: string): string;
  close(): Promise<void>;
}

/**
 * The query gateway as a real process with its PostgreSQL endpoint on, over a stream whose records are partly
 * archived and partly only in Kinesis (as the archiver leaves them), and a second stream a limited token lacks.
 */
export async function startPgWireFixture(): Promise<PgWireFixture> {
  const root = mkdtempSync(join(tmpdir(), 'flux-pgwire-e2e-'));
  mkdirSync(join(root, 'archive'));
  const db: TestDatabase = await createTestDatabase();
  const orders = uniqueName('orders');
  const secret = uniqueName('secret');
  const pgPort = await freePort();
  const env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${ALL_TOKEN}:query,${LIMITED_TOKEN}:query@${orders},${REPLAY_ONLY_TOKEN}:replay,${ADMIN_TOKEN}:admin`,
    FLUX_QUERY_WORK_DIR: join(root, 'work'),
    FLUX_QUERY_TIMEOUT_MS: '600000',
    FLUX_PG_PORT: String(pgPort),
  });
  const kinesis: KinesisClient = createKinesisClient(loadConfig(env).aws);
  await kinesis.send(new CreateStreamCommand({ StreamName: orders, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 60 }, { StreamName: orders });
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: orders,
      Records: Array.from({ length: PRODUCED }, (_, i) => ({ PartitionKey: `customer-${i}`, Data: Buffer.from(JSON.stringify({ orderId: i, amount: i * 10 })) })),
    }),
  );
  const records = await readShard(kinesis, orders);
  await archive(db.url, root, orders, records.slice(0, ARCHIVED));
  await registerArchiveObjects(
    db.url,
    await writeSyntheticArchive({ directory: join(root, 'archive'), stream: secret, shards: 1, recordsPerShardHour: 4, hours: 1, startMs: Date.UTC(2026, 10, 30, 10) }),
  );
  const gateway = await startServiceProcess('query-gateway', env, 180_000);
  return {
    orders,
    secret,
    gateway,
    pgPort,
    url: (token) => `postgres://flux:${encodeURIComponent(token)}@127.0.0.1:${pgPort}/flux`,
    async close() {
      await gateway.stop();
      await kinesis.send(new DeleteStreamCommand({ StreamName: orders })).catch(() => undefined);
      await db.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

interface ShardRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalTime: Date;
  data: Buffer;
}

async function readShard(kinesis: KinesisClient, stream: string): Promise<ShardRecord[]> {
  const shardId = 'shardId-000000000000';
  const out: ShardRecord[] = [];
  let it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
  for (let i = 0; i < 5 && it && out.length < PRODUCED; i++) {
    const res = await kinesis.send(new GetRecordsCommand({ ShardIterator: it }));
    for (const r of res.Records ?? []) {
      out.push({ shardId, sequenceNumber: r.SequenceNumber!, partitionKey: r.PartitionKey!, arrivalTime: r.ApproximateArrivalTimestamp!, data: Buffer.from(r.Data!) });
    }
    it = res.NextShardIterator;
  }
  return out;
}

/** Writes the records as one archive object, as the archiver would, and registers it in the catalog. */
async function archive(databaseUrl: string, root: string, stream: string, records: ShardRecord[]): Promise<void> {
  const first = records[0];
  const last = records[records.length - 1];
  const iso = first.arrivalTime.toISOString();
  const dt = iso.slice(0, 10);
  const hour = Number(iso.slice(11, 13));
  const path = join(root, 'archive', stream, `dt=${dt}`, `hour=${String(hour).padStart(2, '0')}`, `${first.shardId}-${first.sequenceNumber}-${last.sequenceNumber}.parquet`);
  mkdirSync(dirname(path), { recursive: true });
  const duck = await DuckDBInstance.create(':memory:');
  const c = await duck.connect();
  await c.run(`CREATE TABLE r (stream VARCHAR, shard_id VARCHAR, sequence_number VARCHAR, sub_sequence_number BIGINT, partition_key VARCHAR, explicit_hash_key VARCHAR, arrival_time TIMESTAMP, data BLOB)`);
  const a = await c.createAppender('r');
  for (const r of records) {
    a.appendVarchar(stream);
    a.appendVarchar(r.shardId);
    a.appendVarchar(r.sequenceNumber);
    a.appendBigInt(0n);
    a.appendVarchar(r.partitionKey);
    a.appendNull();
    a.appendTimestamp(new DuckDBTimestampValue(BigInt(r.arrivalTime.getTime()) * 1000n));
    a.appendBlob(r.data);
    a.endRow();
  }
  a.closeSync();
  await c.run(`COPY r TO '${path}' (FORMAT parquet)`);
  c.closeSync();
  duck.closeSync();
  const ds = await createDataSource(databaseUrl).initialize();
  try {
    await new CatalogWriter(ds).registerObject(
      upgradeArchiveObjectWritten({
        objectUri: `file://${path}`,
        stream,
        shardId: first.shardId,
        firstSequenceNumber: first.sequenceNumber,
        lastSequenceNumber: last.sequenceNumber,
        firstArrivalTime: first.arrivalTime.toISOString(),
        lastArrivalTime: last.arrivalTime.toISOString(),
        dt,
        hour,
        recordCount: records.length,
        bytes: 1000,
      }),
    );
  } finally {
    await ds.destroy();
  }
}
