import { DeleteStreamCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { createStream, readStream, startKinesisFaultProxy, testConfig, uniqueName } from '@flux-capacitor/testing';
import { getEventListeners } from 'node:events';
import { runDemoProducer } from '../../src/demo-orders';
import { putBatch, type PutEntry } from '../../src/kinesis-stream';

let kinesis: KinesisClient;
const streams: string[] = [];

beforeAll(() => {
  kinesis = createKinesisClient(testConfig().aws);
});

afterAll(async () => {
  for (const stream of streams) await kinesis.send(new DeleteStreamCommand({ StreamName: stream })).catch(() => undefined);
  kinesis.destroy();
});

async function newStream(shards: number): Promise<string> {
  const stream = await createStream(kinesis, uniqueName('cli-put'), shards);
  streams.push(stream);
  return stream;
}

describe('putBatch', () => {
  it('keeps the order of each key when Kinesis throttles part of a PutRecords call', async () => {
    const stream = await newStream(2);
    const proxy = await startKinesisFaultProxy(testConfig().aws.endpoints.kinesis ?? '', { putThrottleRate: 0.3, seed: 11 });
    const aws = testConfig().aws;
    const throttled = createKinesisClient({ ...aws, endpoints: { ...aws.endpoints, kinesis: proxy.url } });
    // 50 keys, 10 records each, interleaved: one batch of 500, as `fluxcap produce --key` sends them
    const input: PutEntry[] = Array.from({ length: 500 }, (_, i) => ({ key: `key-${i % 50}`, data: Buffer.from(`${i % 50}:${Math.floor(i / 50)}`) }));
    try {
      expect(await putBatch(throttled, stream, input)).toBe(500);
      expect(proxy.throttledEntries()).toBeGreaterThan(0);
    } finally {
      throttled.destroy();
      await proxy.close();
    }
    const read = await readStream(kinesis, stream);
    expect(read).toHaveLength(500);
    const perKey = new Map<string, string[]>();
    for (const r of read) perKey.set(r.partitionKey, [...(perKey.get(r.partitionKey) ?? []), Buffer.from(r.data).toString('utf8')]);
    for (let k = 0; k < 50; k++) expect(perKey.get(`key-${k}`)).toEqual(Array.from({ length: 10 }, (_, n) => `${k}:${n}`));
  });
});

describe('runDemoProducer', () => {
  it('leaves no abort listener behind from one loop to the next', async () => {
    const stream = await newStream(1);
    const stop = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    const listeners: number[] = [];
    let loops = 0;
    try {
      // a 1 ms interval instead of a second: 60 loops of `npm start`'s demo producer in well under a second of waiting
      await runDemoProducer({
        kinesis,
        stream,
        ratePerSecond: 1,
        intervalMs: 1,
        signal: stop.signal,
        onPut: () => {
          listeners.push(getEventListeners(stop.signal, 'abort').length);
          if (++loops === 60) stop.abort();
        },
      });
    } finally {
      process.off('warning', onWarning);
    }
    expect(loops).toBe(60);
    expect(listeners[59]).toBe(listeners[4]);
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
