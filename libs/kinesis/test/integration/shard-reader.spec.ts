import { randomBytes } from 'node:crypto';
import { DeleteStreamCommand, type KinesisClient, type _Record } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { ShardReader, wireArrivalMs, wireRecordsText, WireShardReader, type WireRecord } from '@flux-capacitor/kinesis';
import { createStream, putInOrder, testConfig, uniqueName } from '@flux-capacitor/testing';

let kinesis: KinesisClient;
let getRecordsCalls = 0;
const streams: string[] = [];

beforeAll(() => {
  kinesis = createKinesisClient(testConfig().aws);
  // Counts the GetRecords requests that leave the client, to see when the reader issues them.
  kinesis.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetRecordsCommand') getRecordsCalls++;
      return next(args);
    },
    { step: 'initialize', name: 'countGetRecords' },
  );
});

afterAll(async () => {
  for (const stream of streams) await kinesis.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis.destroy();
});

async function streamWith(records: { key: string; data: Uint8Array }[]): Promise<string> {
  const stream = await createStream(kinesis, uniqueName('reader'), 1);
  streams.push(stream);
  await putInOrder(kinesis, stream, records);
  return stream;
}

/** Reads pages until a caught-up empty page. */
async function readAll(reader: ShardReader): Promise<_Record[]> {
  const out: _Record[] = [];
  for (;;) {
    const batch = await reader.next();
    out.push(...batch.records);
    if (batch.ended || (batch.records.length === 0 && batch.millisBehindLatest === 0)) return out;
  }
}

describe('ShardReader against kinesalite', () => {
  const numbered = Array.from({ length: 45 }, (_, i) => ({ key: `k-${i % 7}`, data: Buffer.from(`record ${i}`) }));

  it('with prefetch, has the next page on its way while the caller holds the current one, and reads every record once, in order', async () => {
    const stream = await streamWith(numbered);
    const reader = new ShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1, prefetch: true });
    const before = getRecordsCalls;
    const first = await reader.next();
    expect(first.records).toHaveLength(10);
    await vi.waitFor(() => expect(getRecordsCalls - before).toBe(2), { timeout: 5_000, interval: 10 });
    const rest = await readAll(reader);
    expect([...first.records, ...rest].map((r) => Buffer.from(r.Data ?? []).toString())).toEqual(numbered.map((r) => r.data.toString()));
  });

  it('without prefetch, asks for the next page only when the caller does', async () => {
    const stream = await streamWith(numbered.slice(0, 20));
    const reader = new ShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1 });
    const before = getRecordsCalls;
    await reader.next();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(getRecordsCalls - before).toBe(1);
  });

  it('returns record data byte for byte: every byte value, empty, 1 MiB', async () => {
    const records = [
      { key: 'bytes', data: new Uint8Array(256).map((_, i) => i) },
      { key: 'empty', data: new Uint8Array(0) },
      { key: 'large', data: randomBytes(1024 * 1024 - 'large'.length) },
      { key: 'json', data: Buffer.from('{"note":"żółw"}') },
    ];
    const stream = await streamWith(records);
    const reader = new ShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 10_000, minIntervalMs: 1, prefetch: true });
    const back = await readAll(reader);
    expect(back.map((r) => [r.PartitionKey, Buffer.from(r.Data ?? []).toString('base64')])).toEqual(
      records.map((r) => [r.key, Buffer.from(r.data).toString('base64')]),
    );
  });

  it('as a WireShardReader, gives each page as it came (the body and its records, data base64) and the same records as the SDK', async () => {
    const records = [...numbered.slice(0, 23), { key: 'bytes', data: new Uint8Array(256).map((_, i) => i) }, { key: 'empty', data: new Uint8Array(0) }, { key: 'klucz-żółw', data: Buffer.from('{"note":"żółw"}') }];
    const stream = await streamWith(records);
    const sdk = await readAll(new ShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1 }));
    const reader = new WireShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 10, minIntervalMs: 1 });
    const wire: WireRecord[] = [];
    for (;;) {
      const batch = await reader.next();
      // The records' objects are the body's own bytes (wireRecordsText): one per line, as the response had them.
      const text = wireRecordsText(batch.records);
      if (batch.records.length > 0) expect(text!.buffer).toBe(batch.body.buffer);
      const objects = text ? text.toString('utf8').split('\n').map((line) => JSON.parse(line) as WireRecord) : [];
      expect(objects).toEqual(batch.records.map((r) => ({ SequenceNumber: r.SequenceNumber, ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp, Data: r.Data, PartitionKey: r.PartitionKey })));
      expect(batch.body.toString('utf8')).toMatch(/"NextShardIterator":"/u);
      wire.push(...batch.records);
      if (batch.records.length === 0 && batch.millisBehindLatest === 0) break;
    }
    expect(wire.map((r) => [r.SequenceNumber, r.PartitionKey, r.Data, wireArrivalMs(r)])).toEqual(
      sdk.map((r) => [r.SequenceNumber, r.PartitionKey, Buffer.from(r.Data ?? []).toString('base64'), r.ApproximateArrivalTimestamp!.getTime()]),
    );
    expect(wire.map((r) => Buffer.from(r.Data, 'base64').toString('base64'))).toEqual(records.map((r) => Buffer.from(r.data).toString('base64')));
  });

  it('as a WireShardReader, still renews an expired iterator and resumes after the last record it returned', async () => {
    const stream = await streamWith(numbered.slice(0, 12));
    const reader = new WireShardReader(kinesis, stream, 'shardId-000000000000', { type: 'TRIM_HORIZON' }, { limit: 5, minIntervalMs: 1 });
    const first = await reader.next();
    reader.reset();
    const rest: WireRecord[] = [];
    for (;;) {
      const batch = await reader.next();
      rest.push(...batch.records);
      if (batch.records.length === 0 && batch.millisBehindLatest === 0) break;
    }
    expect([...first.records, ...rest].map((r) => Buffer.from(r.Data, 'base64').toString())).toEqual(numbered.slice(0, 12).map((r) => r.data.toString()));
  });
});
