import { CatalogWriter } from '@flux-capacitor/archive-catalog';
import { ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiveRecord } from '@flux-capacitor/contracts';
import type { ReplayService, ReplayView } from '@flux-capacitor/replay';
import { writeArchiveObject, writeLayout1Object, type StreamRecord } from '@flux-capacitor/testing';
import { ReplayFixture } from '../support/replay-fixture';

/** JSON and non-JSON records; the first three are archived in layout 1, the last three in layout 2. */
const BODIES: Uint8Array[] = [
  Buffer.from('{"kind":"json","i":0}'),
  new Uint8Array(256).map((_, i) => i),
  Buffer.from([0x7b, 0xff, 0x7d]),
  Buffer.from('{"kind":"json"'),
  Buffer.from(' {"kind" : "json", "i": 4}\n'),
  new Uint8Array([0, 159, 146, 150]),
];
/** What the plan's sample must show for each body: the parsed JSON, or the exact bytes as base64. */
const SHOWN = BODIES.map((b) => {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b)) as unknown;
  } catch {
    return { base64: Buffer.from(b).toString('base64') };
  }
});

let fx: ReplayFixture;
let service: ReplayService;
let source: string;
let records: StreamRecord[];

const asArchived = (r: StreamRecord, i: number): ArchiveRecord => ({
  stream: source,
  shardId: r.shardId,
  sequenceNumber: r.sequenceNumber,
  subSequenceNumber: 0,
  partitionKey: r.partitionKey,
  explicitHashKey: null,
  arrivalTime: Date.parse('2026-11-25T10:00:00.000Z') + i * 1000,
  data: r.data,
});

async function plan(body: Record<string, unknown>): Promise<ReplayView> {
  const target = await fx.createStream(1);
  const created = await service.create({ source, target, dryRun: true, ...body }, 'token:test');
  return fx.waitFor(service, created.id);
}

beforeAll(async () => {
  fx = await ReplayFixture.create();
  ({ service } = fx.replayService());
  source = await fx.createStream(1);
  await fx.put(source, BODIES.map((data, i) => ({ key: `k${i}`, data })));
  records = await fx.readAll(source);
  expect(records.map((r) => Buffer.from(r.data).toString('hex'))).toEqual(BODIES.map((b) => Buffer.from(b).toString('hex')));
  const engine = await ParquetEngine.create({ threads: 1 });
  try {
    const writer = new CatalogWriter(fx.ds);
    const archived = records.map(asArchived);
    await writer.registerObject(await writeLayout1Object(fx.store, archived.slice(0, 3)));
    await writer.registerObject(await writeArchiveObject(fx.store, engine, archived.slice(3)));
  } finally {
    engine.close();
  }
});

afterAll(() => fx?.close());

describe('replay planning reads record bytes and text from both archive layouts', () => {
  it('plans every record with its exact size, and shows JSON parsed and every other record as its exact bytes', async () => {
    const view = await plan({});
    expect(view.state).toBe('planned');
    expect(view.plan).toMatchObject({ records: BODIES.length, objects: 2, liveRecords: 0, bytes: BODIES.reduce((n, b) => n + b.byteLength, 0) });
    expect(view.plan?.sample.map((s) => [s.sequenceNumber, s.payload])).toEqual(records.map((r, i) => [r.sequenceNumber, SHOWN[i]]));
  });

  it('filters on payload in either layout, non-JSON records never matching', async () => {
    const view = await plan({ where: `(payload->>'kind') = 'json'` });
    expect(view.state).toBe('planned');
    expect(view.plan?.sample.map((s) => s.sequenceNumber)).toEqual([records[0], records[4]].map((r) => r.sequenceNumber));
  });
});
