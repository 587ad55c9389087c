import type { ArchiveStore } from '@flux-capacitor/archive';
import { LeaseRepository } from '../../src/lease/lease.repository';
import type { ArchiveEventPublisher } from '../../src/shard/shard-work-context';
import { createStream, uniqueName } from '@flux-capacitor/testing';
import { register } from 'prom-client';
import { ArchiverHarness } from '../support/archiver-harness';
import { putRecords, readArchive, recordId, taggedRecord } from '../support/kinesis-fixtures';

describe('archiver faults', () => {
  let h: ArchiverHarness;
  beforeAll(async () => {
    h = await ArchiverHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });

  it('retries an unreachable archive store and SQS, never checkpoints past what is durable, and recovers by itself', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await putRecords(h.kinesis, stream, Array.from({ length: 60 }, (_, i) => taggedRecord(i)));
    const repo = new LeaseRepository(h.dataSource);
    const checkpointsSeenWhileFailing: (string | null)[] = [];
    let putFailures = 3;
    let publishFailures = 2;
    const outage = (what: string) => Object.assign(new Error(`connect ECONNREFUSED (${what})`), { code: 'ECONNREFUSED' });
    const store: ArchiveStore = Object.create(h.store, {
      put: {
        value: async (key: string, path: string) => {
          if (putFailures > 0) {
            putFailures--;
            checkpointsSeenWhileFailing.push((await repo.list(stream))[0].checkpoint);
            throw outage('s3');
          }
          return h.store.put(key, path);
        },
      },
    });
    const publisher: ArchiveEventPublisher = {
      publish: async (type, payload) => {
        if (publishFailures > 0) {
          publishFailures--;
          checkpointsSeenWhileFailing.push((await repo.list(stream))[0].checkpoint);
          throw outage('sqs');
        }
        return h.publisher.publish(type, payload);
      },
    };
    const summary = await (await h.archiver({}, { store, publisher })).runOnce(stream);
    expect(putFailures).toBe(0);
    expect(publishFailures).toBe(0);
    expect(checkpointsSeenWhileFailing).toEqual([null, null, null, null, null]);
    expect(summary.records).toBe(60);
    const ids = (await readArchive(h.store, stream)).flatMap((o) => o.rows.map((r) => recordId(r.data)));
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect((await repo.list(stream))[0].checkpoint).toBe(summary.shards[0].lastSequenceNumber);
  });

  it('exposes per-shard records and bytes and per-stream objects archived as metrics', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await putRecords(h.kinesis, stream, Array.from({ length: 25 }, (_, i) => taggedRecord(i, 100)));
    await (await h.archiver()).runOnce(stream);
    const metric = async (name: string) =>
      (await register.getSingleMetric(name)!.get()).values.find((v) => v.labels.stream === stream && v.labels.shard === 'shardId-000000000000')?.value;
    expect(await metric('flux_archiver_records_archived_total')).toBe(25);
    const objects = (await register.getSingleMetric('flux_archiver_objects_written_total')!.get()).values.find((v) => v.labels.stream === stream)?.value;
    expect(objects).toBe(1);
    expect(await metric('flux_archiver_archived_bytes_total')).toBeGreaterThan(25 * 100);
  });
});
