/**
 * Measures end-to-end SQS transport throughput on the local stack: publishBatch N envelopes, then time until a
 * no-op @EventPattern handler has committed all of them (inbox row per message) and the queue is empty.
 *
 *   npx node -r @swc-node/register libs/sqs-transport/bench/throughput.bench.ts postgres://postgres@127.0.0.1:5432/postgres 2000
 */
import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqsClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { Queues, type ArchiveObjectWritten, upgradeArchiveObjectWritten } from '@flux-capacitor/contracts';
import { startLocalStack } from '@flux-capacitor/local-stack';
import { createDataSource, migrate } from '@flux-capacitor/persistence';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern } from '@nestjs/microservices';
import { SqsPublisher } from '../src';
import { SqsServer } from '../src/sqs.server';

let handled = 0;

@Controller()
class NoopHandler {
  @EventPattern<string>('archive.object.written')
  async onArchiveObjectWritten(): Promise<void> {
    handled++;
  }
}

@Module({ controllers: [NoopHandler] })
class BenchModule {}

const payload: ArchiveObjectWritten = upgradeArchiveObjectWritten({
  objectUri: 's3://bench/archive/part-0.parquet',
  stream: 'bench',
  shardId: 'shardId-000000000000',
  firstSequenceNumber: '1',
  lastSequenceNumber: '2',
  firstArrivalTime: '2026-11-25T17:00:00.000Z',
  lastArrivalTime: '2026-11-25T17:00:01.000Z',
  dt: '2026-11-25',
  hour: 17,
  recordCount: 2,
  bytes: 100,
});

async function run(databaseUrl: string, count: number): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-sqs-bench-'));
  const stack = await startLocalStack({ dataDir, databaseUrl, database: 'flux_sqs_bench' });
  try {
    await migrate(stack.endpoints.databaseUrl);
    for (const concurrency of [1, 10]) {
      const config = loadConfig({ ...stack.env, FLUX_ARCHIVE_URI: 'file:///tmp/bench', FLUX_SQS_QUEUE_PREFIX: `bench${concurrency}-`, FLUX_SQS_WAIT_SECONDS: '1' });
      const client = createSqsClient(config.aws);
      const calls: Record<string, { n: number; ms: number; msgs: number }> = {};
      const send = client.send.bind(client) as (c: unknown, o?: unknown) => Promise<{ Messages?: unknown[] }>;
      (client as unknown as { send: typeof send }).send = async (c: unknown, o?: unknown) => {
        const name = (c as object).constructor.name;
        const t = performance.now();
        const out = await send(c, o);
        const s = (calls[name] ??= { n: 0, ms: 0, msgs: 0 });
        s.n++;
        s.ms += performance.now() - t;
        s.msgs += out.Messages?.length ?? 0;
        return out;
      };
      const dataSource = await createDataSource(config.database.url, { extra: { max: 12 } }).initialize();
      const server = new SqsServer({ client, settings: config.sqs, queue: Queues.Catalog, consumer: `bench-${Date.now()}`, dataSource, concurrency });
      const app = await NestFactory.createMicroservice(BenchModule, { strategy: server, logger: ['error'] });
      const publisher = new SqsPublisher({ client, settings: config.sqs, producer: 'bench' });
      handled = 0;
      await app.listen();
      const publishStart = performance.now();
      await publisher.publishBatch('archive.object.written', Array.from({ length: count }, () => payload));
      const published = performance.now();
      while (handled < count) await new Promise((resolve) => setTimeout(resolve, 20));
      const done = performance.now();
      console.log(
        JSON.stringify({
          concurrency,
          messages: count,
          publishMsgPerSec: Math.round(count / ((published - publishStart) / 1000)),
          endToEndMsgPerSec: Math.round(count / ((done - publishStart) / 1000)),
          totalMs: Math.round(done - publishStart),
          calls,
        }),
      );
      await app.close();
      await dataSource.destroy();
      client.destroy();
    }
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const [databaseUrl, count = '1000'] = process.argv.slice(2);
if (!databaseUrl) {
  console.error('usage: throughput.bench.ts <postgres-url> [messages]');
  process.exit(2);
}
run(databaseUrl, Number(count)).then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
