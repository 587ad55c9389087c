import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ArchiveObjectInspector, CatalogWriter } from '@flux-capacitor/archive-catalog';
import { ARCHIVE_KV_METADATA, MAX_FIELD_COLUMN_MEAN_BYTES, archiveFieldColumn, type ArchiveFieldColumn } from '@flux-capacitor/contracts';
import type { CatalogSchemaField } from '@flux-capacitor/persistence';
import { multiShardObjectKey, partitionOf } from '@flux-capacitor/archive';
import { createStream, uniqueName } from '@flux-capacitor/testing';
import { register, type Counter } from 'prom-client';
import { ArchiverHarness } from '../support/archiver-harness';
import { ArchiverMetrics } from '../../src/archiver.metrics';
import { LeaseRepository } from '../../src/lease/lease.repository';
import { CatalogSchemaSource, FieldColumnChoices } from '../../src/object/field-column-choice';
import { listShards, putRecords, type ProducedRecord } from '../support/kinesis-fixtures';

/** Each object of a stream: its flux.fields and, per field column, its values in file order. */
async function readFieldColumns(h: ArchiverHarness, stream: string): Promise<{ key: string; fields: ArchiveFieldColumn[] | null; rows: Record<string, unknown>[] }[]> {
  const dir = await mkdtemp(join(tmpdir(), 'flux-fields-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const c = await db.connect();
  try {
    const out = [];
    for await (const o of h.store.list(`${stream}/`)) {
      const path = join(dir, `${out.length}.parquet`);
      await h.store.getToFile(o.key, path);
      const kv = (await c.runAndReadAll(`SELECT decode(value) FROM parquet_kv_metadata('${path}') WHERE decode(key) = '${ARCHIVE_KV_METADATA.fields}'`)).getRows();
      const fields = kv.length === 0 ? null : archiveFieldColumn.array().parse(JSON.parse(String(kv[0][0])));
      const select = ['partition_key', ...(fields ?? []).map((f) => `"${f.column}"`)].join(', ');
      const rows = (await c.runAndReadAll(`SELECT ${select} FROM read_parquet('${path}')`)).getRowObjectsJS();
      out.push({ key: o.key, fields, rows });
    }
    return out;
  } finally {
    c.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

const order = (i: number): ProducedRecord => ({
  partitionKey: `o-${i}`,
  data: Buffer.from(JSON.stringify({ orderId: `o-${i}`, amount: i + 0.5, customer: { city: i % 2 ? 'Łódź' : 'Paris' }, ...(i % 3 ? { note: 'n' } : {}) })),
});

/** A catalog schema for `stream` as the catalog infers it: orderId, amount, customer.city always present, note not. */
async function insertSchema(h: ArchiverHarness, stream: string, version: number, fields: { path: string; types: string[]; nullable: boolean }[]): Promise<void> {
  const now = new Date().toISOString();
  await h.dataSource.query(`INSERT INTO catalog_stream (name, format) VALUES ($1, 'json') ON CONFLICT DO NOTHING`, [stream]);
  await h.dataSource.query(
    `INSERT INTO catalog_schema_version (stream, version, format, fields, fingerprint, first_seen, last_seen) VALUES ($1, $2, 'json', $3, $4, now(), now())`,
    [stream, version, JSON.stringify(fields.map((f) => ({ ...f, firstSeen: now, lastSeen: now }))), `fp-${version}`],
  );
}

describe('field columns: the archiver writes the columns its stream schema chooses', () => {
  let h: ArchiverHarness;
  beforeAll(async () => {
    h = await ArchiverHarness.create();
  });
  afterAll(async () => {
    await h.close();
  });

  it('writes a column per chosen path of the latest catalog schema, announces them, and none for a stream without a schema', async () => {
    const stream = uniqueName('s');
    const bare = uniqueName('s');
    await Promise.all([createStream(h.kinesis, stream, 1), createStream(h.kinesis, bare, 1)]);
    await insertSchema(h, stream, 1, [{ path: 'orderId', types: ['string'], nullable: false }]);
    await insertSchema(h, stream, 2, [
      { path: 'orderId', types: ['string'], nullable: false },
      { path: 'amount', types: ['number'], nullable: false },
      { path: 'customer', types: ['object'], nullable: false },
      { path: 'customer.city', types: ['string'], nullable: false },
      { path: 'note', types: ['string'], nullable: true },
      { path: 'items[].sku', types: ['string'], nullable: false },
    ]);
    const records = Array.from({ length: 40 }, (_, i) => order(i));
    await putRecords(h.kinesis, stream, [...records, { partitionKey: 'bin', data: Buffer.from([0xff, 0, 1]) }]);
    await putRecords(h.kinesis, bare, records.slice(0, 5));

    const archiver = await h.archiver({ fieldColumns: 3 });
    expect((await archiver.runOnce(stream)).records).toBe(41);
    expect((await archiver.runOnce(bare)).records).toBe(5);

    const objects = await readFieldColumns(h, stream);
    expect(objects.length).toBeGreaterThan(0);
    // Present-everywhere paths first, then shallower: the latest version, at most 3, arrays and objects never.
    const expected = [
      { path: ['amount'], column: 'payload__amount' },
      { path: ['orderId'], column: 'payload__orderId' },
      { path: ['customer', 'city'], column: 'payload__customer__city' },
    ];
    for (const o of objects) expect(o.fields).toEqual(expected);
    const rows = objects.flatMap((o) => o.rows);
    expect(rows.find((r) => r.partition_key === 'bin')).toEqual({ partition_key: 'bin', payload__amount: null, payload__orderId: null, payload__customer__city: null });
    expect(rows.filter((r) => r.partition_key !== 'bin').sort((a, b) => String(a.partition_key).localeCompare(String(b.partition_key)))).toEqual(
      records
        .map((_, i) => ({ partition_key: `o-${i}`, payload__amount: String(i + 0.5), payload__orderId: `o-${i}`, payload__customer__city: i % 2 ? 'Łódź' : 'Paris' }))
        .sort((a, b) => a.partition_key.localeCompare(b.partition_key)),
    );
    const announced = (await h.announcements()).map((m) => m.payload as { stream: string; fields?: unknown });
    const ours = announced.filter((p) => p.stream === stream);
    expect(ours.length).toBe(objects.length);
    for (const p of ours) expect(p.fields).toEqual(expected);

    for (const o of await readFieldColumns(h, bare)) expect(o.fields).toBeNull();
    for (const p of announced.filter((x) => x.stream === bare)) expect(p).not.toHaveProperty('fields');
  });

  it('gives no column to a long free-text field, as the catalog infers its lengths from the archived records', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    // `body` is ~200 bytes of free text in every record; `code` is short; both strings, both always present.
    const ticket = (i: number): ProducedRecord => ({
      partitionKey: `t-${i}`,
      data: Buffer.from(JSON.stringify({ id: i, code: `c${i % 7}`, body: `ticket ${i}: ${'the printer on floor 3 is out of toner again '.repeat(4)}` })),
    });
    await putRecords(h.kinesis, stream, Array.from({ length: 20 }, (_, i) => ticket(i)));
    // No schema yet: the first objects carry no field columns. The catalog then reads them as it does in service:
    // the inspector's sample through the real inference, merged into the stream's schema.
    expect((await (await h.archiver()).runOnce(stream)).records).toBe(20);
    const inspector = await ArchiveObjectInspector.create();
    try {
      for await (const o of h.store.list(`${stream}/`)) {
        const facts = await inspector.inspect(h.store, o.key, 1000);
        await new CatalogWriter(h.dataSource).recordSchema(stream, facts.schema!);
      }
    } finally {
      inspector.close();
    }
    const [{ fields }] = (await h.dataSource.query(`SELECT fields FROM catalog_schema_version WHERE stream = $1 ORDER BY version DESC LIMIT 1`, [stream])) as {
      fields: CatalogSchemaField[];
    }[];
    expect(fields.find((f) => f.path === 'body')!.stringLengths!.meanBytes).toBeGreaterThan(MAX_FIELD_COLUMN_MEAN_BYTES);
    expect(fields.find((f) => f.path === 'code')!.stringLengths).toEqual({ count: 20, meanBytes: 2, maxBytes: 2 });

    const before = new Set((await readFieldColumns(h, stream)).map((o) => o.key));
    await putRecords(h.kinesis, stream, Array.from({ length: 5 }, (_, i) => ticket(20 + i)));
    expect((await (await h.archiver()).runOnce(stream)).records).toBe(5);
    const written = (await readFieldColumns(h, stream)).filter((o) => !before.has(o.key));
    expect(written.length).toBeGreaterThan(0);
    for (const o of written) expect(o.fields).toEqual([{ path: ['code'], column: 'payload__code' }, { path: ['id'], column: 'payload__id' }]);
    expect(written.flatMap((o) => o.rows.map((r) => r.payload__code)).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c6']);
  });

  it('writes no field columns with FLUX_ARCHIVER_FIELD_COLUMNS=0', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await insertSchema(h, stream, 1, [{ path: 'orderId', types: ['string'], nullable: false }]);
    await putRecords(h.kinesis, stream, [order(1)]);
    const archiver = await h.archiver({ fieldColumns: 0 });
    expect((await archiver.runOnce(stream)).records).toBe(1);
    for (const o of await readFieldColumns(h, stream)) expect(o.fields).toBeNull();
  });

  it('keeps archiving when the catalog schema cannot be read, without field columns, and counts the failure', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await putRecords(h.kinesis, stream, [order(1), order(2)]);
    const archiver = await h.archiver();
    const failures = async () => {
      const metric = register.getSingleMetric('flux_archiver_field_schema_failures_total') as Counter<'stream'>;
      return (await metric.get()).values.find((v) => v.labels.stream === stream)?.value ?? 0;
    };
    const before = await failures();
    // A real failure of the read: the table is gone (as the catalog's database would be to a broken migration).
    await h.dataSource.query(`ALTER TABLE catalog_schema_version RENAME TO catalog_schema_version_away`);
    try {
      const summary = await archiver.runOnce(stream);
      expect(summary.records).toBe(2);
    } finally {
      await h.dataSource.query(`ALTER TABLE catalog_schema_version_away RENAME TO catalog_schema_version`);
    }
    const objects = await readFieldColumns(h, stream);
    expect(objects.flatMap((o) => o.rows).map((r) => r.partition_key).sort()).toEqual(['o-1', 'o-2']);
    for (const o of objects) expect(o.fields).toBeNull();
    expect(await failures()).toBeGreaterThan(before);
  });

  it('rewrites a leftover intent with the field columns recorded in it, not the ones chosen since', async () => {
    const stream = uniqueName('s');
    await createStream(h.kinesis, stream, 1);
    await insertSchema(h, stream, 1, [{ path: 'amount', types: ['number'], nullable: false }]);
    await putRecords(h.kinesis, stream, [order(1), order(2), order(3)]);
    const [shard] = await listShards(h.kinesis, stream);
    const { GetShardIteratorCommand, GetRecordsCommand } = await import('@aws-sdk/client-kinesis');
    const it = await h.kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
    const first = (await h.kinesis.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator, Limit: 2 }))).Records!;
    // A crashed archiver recorded an intent for the first 2 records, chosen when the schema held orderId only.
    const repo = new LeaseRepository(h.dataSource);
    await repo.syncShards(stream, [{ shardId: shard.ShardId!, parentShardIds: [], closed: false }], { type: 'TRIM_HORIZON' });
    const lease = (await repo.acquire(stream, shard.ShardId!, 'crashed-worker', 60_000))!.lease;
    const key = multiShardObjectKey({ stream, ...partitionOf(first[0].ApproximateArrivalTimestamp!.getTime()), id: 'crashed-0001' });
    const recorded = [{ path: ['orderId'], column: 'payload__orderId' }];
    const range = { shardId: shard.ShardId!, firstSequenceNumber: first[0].SequenceNumber!, lastSequenceNumber: first[1].SequenceNumber!, recordCount: 2 };
    await repo.recordIntent([lease], { stream, objectKey: key, ranges: [range], fields: recorded });
    await h.dataSource.query(`UPDATE archiver_shard_lease SET lease_expires_at = now() - interval '1 second' WHERE stream_name = $1`, [stream]);

    expect((await (await h.archiver()).runOnce(stream)).records).toBe(3);
    const objects = await readFieldColumns(h, stream);
    const recovered = objects.find((o) => o.key === key)!;
    expect(recovered.fields).toEqual(recorded);
    expect(recovered.rows.map((r) => r.payload__orderId).sort()).toEqual(['o-1', 'o-2']);
    // The record after the intent goes to a new object, with today's choice.
    expect(objects.filter((o) => o.key !== key).map((o) => o.fields)).toEqual([[{ path: ['amount'], column: 'payload__amount' }]]);
    const announced = (await h.announcements()).map((m) => m.payload as { objectUri: string; fields?: unknown });
    expect(announced.find((p) => p.objectUri === h.store.uri(key))?.fields).toEqual(recorded);
  });

  it('keeps the last choice while the schema cannot be read, and takes a new schema version at the next read', async () => {
    const stream = uniqueName('s');
    await insertSchema(h, stream, 1, [{ path: 'orderId', types: ['string'], nullable: false }]);
    // Read again at every call (refresh period 0), against the real table.
    const choices = new FieldColumnChoices(new CatalogSchemaSource(h.dataSource), 32, new ArchiverMetrics(), 0);
    const first = [{ path: ['orderId'], column: 'payload__orderId' }];
    expect(await choices.forStream(stream)).toEqual(first);
    await h.dataSource.query(`ALTER TABLE catalog_schema_version RENAME TO catalog_schema_version_away`);
    try {
      expect(await choices.forStream(stream)).toEqual(first);
    } finally {
      await h.dataSource.query(`ALTER TABLE catalog_schema_version_away RENAME TO catalog_schema_version`);
    }
    await insertSchema(h, stream, 2, [
      { path: 'orderId', types: ['string'], nullable: false },
      { path: 'amount', types: ['number'], nullable: false },
    ]);
    expect(await choices.forStream(stream)).toEqual([{ path: ['amount'], column: 'payload__amount' }, ...first]);
    expect(await choices.forStream(uniqueName('s'))).toEqual([]);
  });
});
