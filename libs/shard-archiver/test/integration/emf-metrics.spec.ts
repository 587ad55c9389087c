import { EmfWriter } from '@flux-capacitor/aws';
import { createStream, uniqueName } from '@flux-capacitor/testing';
import { ArchiverHarness } from '../support/archiver-harness';
import { putRecords, taggedRecord } from '../support/kinesis-fixtures';

interface LagLine {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  Service: string;
  Stream: string;
  ArchiverOldestUnarchivedAgeSeconds: number;
}

describe('archiver lag as CloudWatch embedded-metric-format lines', () => {
  let h: ArchiverHarness;
  beforeAll(async () => {
    h = await ArchiverHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });

  it('writes one line per stream it holds shards of, with the Stream dimension and without, and none while it holds none', async () => {
    const stream = uniqueName('emf');
    await createStream(h.kinesis, stream, 2);
    await putRecords(h.kinesis, stream, Array.from({ length: 40 }, (_, i) => taggedRecord(i)));
    const lines: string[] = [];
    const archiver = await h.archiver({ bufferIntervalMs: 900_000 }, { emf: new EmfWriter(true, { Service: 'archiver' }, (l) => lines.push(l)) });

    archiver.emitLag();
    expect(lines).toEqual([]);

    archiver.start([stream]);
    // Both shards read into the (900 s) buffers: their records are read but not yet archived.
    await vi.waitFor(() => expect(archiver.health().shards.filter((s) => s.oldestUnarchivedAgeMs > 0)).toHaveLength(2), { timeout: 30_000, interval: 100 });
    archiver.emitLag();
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]) as LagLine;
    expect(line._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'FluxCapacitor', Dimensions: [['Stream'], []], Metrics: [{ Name: 'ArchiverOldestUnarchivedAgeSeconds', Unit: 'Seconds' }] },
    ]);
    expect(line.Stream).toBe(stream);
    expect(line.Service).toBe('archiver');
    const oldest = Math.max(...archiver.health().shards.map((s) => s.oldestUnarchivedAgeMs)) / 1000;
    expect(line.ArchiverOldestUnarchivedAgeSeconds).toBeGreaterThan(0);
    // Seconds, not milliseconds: no larger than the shards' age read just after (the slack covers rounding).
    expect(line.ArchiverOldestUnarchivedAgeSeconds).toBeLessThanOrEqual(oldest + 5);
    await archiver.stop(10_000);
  });
});
