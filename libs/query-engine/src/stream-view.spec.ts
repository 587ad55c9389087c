import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchiveStore, ParquetEngine } from '@flux-capacitor/archive';
import type { ArchiveLayout, ArchiveRecord } from '@flux-capacitor/contracts';
import { records, writeArchiveObject, writeLayout1Object } from '@flux-capacitor/testing';
import { DuckDbEngine } from './duckdb-engine';
import type { ArchiveFile, StreamSource } from './stream-source';
import { STREAM_COLUMNS } from './stream-view';

const START = '2026-03-01T10:00:00.000Z';
/** What the view must give for each kind of record: payload parsed when the bytes are UTF-8 JSON, NULL otherwise. */
const BODIES: { name: string; data: Uint8Array; payload: unknown }[] = [
  { name: 'JSON object', data: Buffer.from('{"type":"t1","amount":7}'), payload: { type: 't1', amount: 7 } },
  { name: 'JSON with spacing kept byte for byte', data: Buffer.from(' {"type" : "t2"}\n'), payload: { type: 't2' } },
  { name: 'JSON scalar null', data: Buffer.from('null'), payload: null },
  { name: 'binary', data: new Uint8Array(256).map((_, i) => i), payload: null },
  { name: 'invalid UTF-8', data: Buffer.from([0x7b, 0xff, 0x7d]), payload: null },
  { name: 'JSON-looking but invalid', data: Buffer.from('{"type":"t3"'), payload: null },
  { name: 'empty', data: new Uint8Array(0), payload: null },
];

let root: string;
let engine: DuckDbEngine;
let parquet: ParquetEngine;
let store: FileArchiveStore;

/** One shard's records, one per body, written as one object of `layout`. */
async function objectOf(layout: ArchiveLayout, shardId: string, firstSeq: bigint): Promise<{ file: ArchiveFile; rs: ArchiveRecord[] }> {
  const rs = records('orders', shardId, firstSeq, START, BODIES.map((b) => b.name)).map((r, i) => ({ ...r, data: BODIES[i].data }));
  const written = layout === 1 ? await writeLayout1Object(store, rs) : await writeArchiveObject(store, parquet, rs);
  const range = { shardId, firstSequenceNumber: rs[0].sequenceNumber, lastSequenceNumber: rs.at(-1)!.sequenceNumber, recordCount: rs.length };
  return { file: { path: store.localPath(store.keyOf(written.objectUri)!), layout, shards: [range] }, rs };
}

async function query(sql: string, files: ArchiveFile[]): Promise<Record<string, unknown>[]> {
  const source: StreamSource = { name: 'orders', archiveFiles: files, live: [] };
  const result = await engine.run({ sql, sources: [source], maxRows: 1000, timeoutMs: 20_000 });
  try {
    return (await result.readJsonLines(0, 1000)).map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    result.close();
  }
}

const RECORDS_SQL = `SELECT shard_id, sequence_number, hex(data) AS data_hex, payload, epoch_ms(arrival_time) AS arrival_ms, typeof(arrival_time) AS time_type
  FROM orders ORDER BY shard_id, sequence_number`;

/** The rows RECORDS_SQL must give for records `rs`. */
const expectedRows = (rs: ArchiveRecord[]) =>
  rs.map((r, i) => ({
    shard_id: r.shardId,
    sequence_number: r.sequenceNumber,
    data_hex: Buffer.from(r.data).toString('hex').toUpperCase(),
    payload: BODIES[i % BODIES.length].payload,
    arrival_ms: r.arrivalTime,
    time_type: 'TIMESTAMP',
  }));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-view-'));
  mkdirSync(join(root, 'work'));
  store = new FileArchiveStore({ kind: 'file', uri: `file://${join(root, 'archive')}`, directory: join(root, 'archive') });
  parquet = await ParquetEngine.create({ threads: 1 });
  engine = new DuckDbEngine({ workDir: join(root, 'work'), threads: 1, memoryLimit: '256MB' });
});

afterAll(() => {
  engine?.close();
  parquet?.close();
  rmSync(root, { recursive: true, force: true });
});

describe.each([1, 2] as const)('the stream view over a layout-%i object', (layout) => {
  it('gives every record its exact bytes in data, and payload parsed only when the bytes are UTF-8 JSON', async () => {
    const { file, rs } = await objectOf(layout, 'shardId-000000000000', 100n);
    expect(await query(RECORDS_SQL, [file])).toEqual(expectedRows(rs));
  });

  it('reads a JSON field through payload and leaves non-JSON records NULL without failing the scan', async () => {
    const { file } = await objectOf(layout, 'shardId-000000000000', 200n);
    expect(await query(`SELECT payload->>'type' AS type, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1 NULLS LAST`, [file])).toEqual([
      { type: 't1', n: 1 },
      { type: 't2', n: 1 },
      { type: null, n: 5 },
    ]);
  });
});

describe('the stream view over both layouts at once', () => {
  it('keeps the stream table columns and their types whatever layouts the objects have', async () => {
    const one = await objectOf(1, 'shardId-000000000000', 300n);
    const two = await objectOf(2, 'shardId-000000000001', 300n);
    const columns = await query(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM orders)`, [one.file, two.file]);
    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual(STREAM_COLUMNS.map((c) => [c.name, c.type]));
  });

  it('returns each record of a layout-1 and a layout-2 object exactly once, bytes and payload exact', async () => {
    const one = await objectOf(1, 'shardId-000000000000', 400n);
    const two = await objectOf(2, 'shardId-000000000001', 400n);
    expect(await query(RECORDS_SQL, [one.file, two.file])).toEqual(expectedRows([...one.rs, ...two.rs]));
  });

  it('de-duplicates a layout-2 object that holds records of an overlapping layout-1 object again', async () => {
    const one = await objectOf(1, 'shardId-000000000000', 500n);
    // the same records re-archived in layout 2 (an archiver upgraded mid-range re-reads what the old one wrote)
    const again = await objectOf(2, 'shardId-000000000000', 500n);
    expect(await query(RECORDS_SQL, [one.file, again.file])).toEqual(expectedRows(one.rs));
  });
});
