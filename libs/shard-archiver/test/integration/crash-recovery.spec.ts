import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetQueueUrlCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { LeaseRepository } from '../../src/lease/lease.repository';
import { aggregate } from '@flux-capacitor/kinesis';
import { createKinesisClient, createS3Client, createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { createArchiveStore } from '@flux-capacitor/archive';
import { createStream, createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { crashTestConfig } from '../support/crash-test-config';
import { listShards, mergeLastAdjacentShards, putRecords, readArchive, recordId, splitFirstOpenShard, type ProducedRecord } from '../support/kinesis-fixtures';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const { records: TOTAL, kills: KILLS, maxLifeMs: MAX_LIFE_MS } = crashTestConfig;

describe('archiver crash safety', () => {
  let db: TestDatabase;
  let work: string;
  let passed = false;
  beforeAll(async () => {
    db = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'flux-crash-'));
  });
  afterAll(async () => {
    await db.drop();
    // Keep the archiver log of a failed run for diagnosis.
    if (passed) rmSync(work, { recursive: true, force: true });
    else console.log(`[crash test] archiver log kept in ${join(work, 'archiver.log')}`);
  });

  it(
    `never loses a record nor writes one into two objects when killed with kill -9 ${KILLS} times while archiving ${TOTAL} records across 4 shards with a split and a merge`,
    async () => {
      const bucket = uniqueName('flux-crash');
      const stream = uniqueName('crash');
      const env = testEnvironment({
        DATABASE_URL: db.url,
        FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
        FLUX_BUFFER_SIZE_MIB: '1',
        FLUX_BUFFER_INTERVAL_SECONDS: '1',
        FLUX_LEASE_DURATION_SECONDS: '3',
        FLUX_LEASE_HEARTBEAT_SECONDS: '1',
        FLUX_GET_RECORDS_IDLE_MS: '200',
        FLUX_ARCHIVER_TEMP_DIR: join(work, 'tmp'),
        LOG_LEVEL: 'debug',
      });
      const config = loadConfig(env);
      const kinesis = createKinesisClient(config.aws);
      const s3 = createS3Client(config.aws);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await createStream(kinesis, stream, 4);

      // What was produced: id -> data. Ids are written into the data, so each archived row names its record.
      const produced = new Map<number, Buffer>();
      let nextId = 0;
      const makeUser = () => {
        const id = nextId++;
        const data = Buffer.concat([Buffer.from(`${id}:`), randomBytes(8 + (id % 48))]);
        produced.set(id, data);
        return { partitionKey: `key-${id % 257}`, data };
      };
      /** Puts `count` more records, 500 per call; about 4 % of Kinesis records are KPL aggregates of 4 user records. */
      const produce = async (count: number) => {
        const end = Math.min(TOTAL, nextId + count);
        while (nextId < end) {
          const chunk: ProducedRecord[] = [];
          while (chunk.length < 500 && nextId < end) {
            if (chunk.length % 25 === 24 && end - nextId >= 4) {
              const users = [makeUser(), makeUser(), makeUser(), makeUser()];
              chunk.push({ partitionKey: users[0].partitionKey, data: aggregate(users) });
            } else chunk.push(makeUser());
          }
          await putRecords(kinesis, stream, chunk);
          await new Promise((r) => setTimeout(r, 50)); // paces the producer, so records keep arriving during a life
        }
      };

      // Each life of the archiver gets its share of new records while it runs, and is killed at a random moment.
      // Most lives reuse the worker id (a restart re-claims its leases at once); every fourth uses a new id, so the
      // next life must wait for the dead one's leases to expire and take them over. One shard is split after 40 % of
      // the lives, two are merged after 70 %.
      const log = createWriteStream(join(work, 'archiver.log'));
      let workerId = 'crash-worker-0';
      let kills = 0;
      const perLife = Math.ceil(TOTAL / KILLS);
      while (kills < KILLS) {
        if (kills % 4 === 3) workerId = `crash-worker-${kills}`;
        const child: ChildProcess = spawn(process.execPath, [FLUXCAP, 'archive', '--stream', stream], {
          cwd: ROOT,
          env: { ...process.env, ...env, FLUX_ARCHIVER_WORKER_ID: workerId },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.pipe(log, { end: false });
        child.stderr!.pipe(log, { end: false });
        const exited = new Promise((r) => child.once('exit', r));
        // Lives die at random moments of three kinds, in turn: within 300 ms after a write intent was recorded (the
        // object is being written, uploaded, announced or committed); within 1.5 s after an object was committed
        // (reading and buffering the next); at any time after start-up (leases, recovery, anything). Waiting for the
        // log lines also makes every life progress however slow the machine is.
        const waitFor = (text: string) =>
          new Promise<void>((r) => child.stderr!.on('data', (d: Buffer) => d.includes(text) && r()));
        const started = waitFor('archiver starting');
        const intent = waitFor('write intent recorded');
        const committed = waitFor('archive object committed');
        await Promise.race([started, exited]);
        const producing = produce(perLife);
        const kind = kills % 3;
        const timeout = new Promise((r) => setTimeout(r, 30_000));
        if (kind === 0) await Promise.race([intent, exited, timeout]);
        if (kind === 1) await Promise.race([committed, exited, timeout]);
        const delay = kind === 0 ? randomInt(0, 300) : kind === 1 ? randomInt(0, 1_500) : randomInt(0, MAX_LIFE_MS);
        await Promise.race([new Promise((r) => setTimeout(r, delay)), exited]);
        expect(child.exitCode, 'the archiver must not exit by itself').toBeNull();
        child.kill('SIGKILL');
        await exited;
        await producing;
        kills++;
        if (kills === Math.floor(KILLS * 0.4)) await splitFirstOpenShard(kinesis, stream);
        if (kills === Math.floor(KILLS * 0.7)) await mergeLastAdjacentShards(kinesis, stream);
      }
      await produce(TOTAL);
      expect(nextId).toBe(TOTAL);

      // Let the last dead instances' leases expire, then drain what is left the way cron would.
      await new Promise((r) => setTimeout(r, config.archiver.leaseDurationMs + 500));
      const final = spawnSync(process.execPath, [FLUXCAP, 'archive', '--stream', stream, '--once', '--json'], {
        cwd: ROOT,
        env: { ...process.env, ...env, FLUX_ARCHIVER_WORKER_ID: 'crash-final' },
        encoding: 'utf8',
        timeout: 600_000,
      });
      log.write(final.stderr);
      log.end();
      expect(final.status, final.stderr.slice(-2000)).toBe(0);
      const finalSummary = JSON.parse(final.stdout);
      expect(finalSummary.skipped).toEqual([]);
      // The killed lives did real work: the final drain found only part of the records left.
      expect(finalSummary.records).toBeLessThan(TOTAL);

      // Every produced record exactly once, byte-identical.
      const store = createArchiveStore(config.archive, s3);
      const objects = await readArchive(store, stream);
      const seen = new Map<number, number>();
      for (const o of objects) {
        for (const row of o.rows) {
          const id = recordId(row.data);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          expect(Buffer.from(row.data).equals(produced.get(id)!), `record ${id} is byte-identical`).toBe(true);
        }
      }
      const missing = [...produced.keys()].filter((id) => !seen.has(id));
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(missing, 'records lost').toEqual([]);
      expect(duplicated, 'records in two objects').toEqual([]);
      expect([...seen.values()].reduce((a, b) => a + b, 0)).toBe(TOTAL);

      // Each object's metadata names exactly the ranges of its rows; objects of a shard cover disjoint ranges; no
      // intent is left; every shard finished or checkpointed at its end.
      const ranges = new Map<string, [bigint, bigint][]>();
      let multiShard = 0;
      for (const o of objects) {
        expect(o.shards.map((r) => r.shardId)).toEqual([...new Set(o.rows.map((r) => r.shardId))].sort());
        if (o.shards.length > 1) multiShard++;
        for (const r of o.shards) {
          const seqs = o.rows.filter((row) => row.shardId === r.shardId).map((row) => BigInt(row.sequenceNumber));
          expect(seqs.length, `${o.key} ${r.shardId} record count`).toBe(r.recordCount);
          expect(seqs.every((x) => x >= BigInt(r.firstSequenceNumber) && x <= BigInt(r.lastSequenceNumber))).toBe(true);
          ranges.set(r.shardId, [...(ranges.get(r.shardId) ?? []), [BigInt(r.firstSequenceNumber), BigInt(r.lastSequenceNumber)]]);
        }
      }
      // The run exercised the layout it is meant to prove: objects holding several shards.
      expect(multiShard).toBeGreaterThan(0);
      for (const list of ranges.values()) {
        list.sort((a, b) => (a[0] < b[0] ? -1 : 1));
        for (let i = 1; i < list.length; i++) expect(list[i][0] > list[i - 1][1]).toBe(true);
      }
      const dataSource = await createDataSource(db.url).initialize();
      try {
        const intents = await dataSource.query('SELECT count(*)::int AS n FROM archiver_intent');
        expect(intents[0].n).toBe(0);
        const leases = await new LeaseRepository(dataSource).list(stream);
        expect(leases.length).toBe((await listShards(kinesis, stream)).length);
        expect(leases.filter((l) => l.finishedAt !== null).length).toBeGreaterThanOrEqual(3);
      } finally {
        await dataSource.destroy();
      }

      // Every object was announced on SQS (at least once; the catalog de-duplicates by URI).
      const sqs = createSqsClient(config.aws);
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: `${config.sqs.queuePrefix}catalog` }));
      const announced = new Set<string>();
      for (;;) {
        const page = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600 }));
        if (!page.Messages?.length) break;
        for (const m of page.Messages) announced.add(JSON.parse(m.Body!).payload.objectUri);
      }
      for (const o of objects) expect(announced.has(store.uri(o.key)), `${o.key} announced`).toBe(true);

      const logText = readFileSync(join(work, 'archiver.log'), 'utf8');
      const recoveries = logText.split('recovering write intent').length - 1;
      const takeovers = logText.split('took over expired lease').length - 1;
      console.log(
        `[crash test] ${TOTAL} records, ${kills} kills, ${objects.length} objects (${multiShard} of several shards), ${(await listShards(kinesis, stream)).length} shards, ` +
          `${recoveries} intents recovered, ${takeovers} expired leases taken over, ${finalSummary.records} records left for the final drain`,
      );
      kinesis.destroy();
      s3.destroy();
      sqs.destroy();
      passed = true;
    },
    1_800_000,
  );
});
