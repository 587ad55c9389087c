import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ARCHIVE_COLUMNS, ARCHIVE_KV_METADATA, ARCHIVE_RECORD_SQL, fieldValueSql, type ArchiveRecord } from '@flux-capacitor/contracts';
import { archiveFieldColumns, ParquetEngine, writeArchiveFile } from './parquet';

describe('ParquetEngine', () => {
  let engine: ParquetEngine;
  let dir: string;
  beforeAll(async () => {
    engine = await ParquetEngine.create({ threads: 1 });
    dir = mkdtempSync(join(tmpdir(), 'flux-parquet-'));
  });
  afterAll(() => {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const every256 = new Uint8Array(256).map((_, i) => i);
  const records: ArchiveRecord[] = [
    {
      stream: 'orders',
      shardId: 'shardId-000000000000',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      subSequenceNumber: 0,
      partitionKey: 'customer-1',
      explicitHashKey: null,
      arrivalTime: Date.UTC(2026, 10, 25, 7, 15, 30, 123),
      data: new TextEncoder().encode('{"id":1,"note":"żółw"}'),
    },
    {
      stream: 'orders',
      shardId: 'shardId-000000000000',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588899',
      subSequenceNumber: 3,
      partitionKey: 'customer-2',
      explicitHashKey: '340282366920938463463374607431768211455',
      arrivalTime: Date.UTC(2026, 10, 25, 7, 59, 59, 999),
      data: every256,
    },
    {
      stream: 'orders',
      shardId: 'shardId-000000000000',
      sequenceNumber: '49590338271490256608559692538361571095921575989136588900',
      subSequenceNumber: 0,
      partitionKey: 'k',
      explicitHashKey: null,
      arrivalTime: Date.UTC(2026, 10, 25, 7, 0, 0, 0),
      data: new Uint8Array(0),
    },
  ];

  it('writes exactly the archive columns with their types', async () => {
    const path = join(dir, 'layout.parquet');
    await engine.write(records, path);
    const columns = await engine.describe(path);
    expect(columns.map((c) => c.name)).toEqual(ARCHIVE_COLUMNS.map((c) => c.name));
    // DESCRIBE spells TIMESTAMPTZ out
    expect(columns.map((c) => c.type.replace('TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ'))).toEqual(ARCHIVE_COLUMNS.map((c) => c.duckdb));
  });

  it('round-trips every field, binary data byte for byte and arrival time to the millisecond, in order', async () => {
    const path = join(dir, 'roundtrip.parquet');
    const result = await engine.write(records, path);
    expect(result.rows).toBe(3);
    expect(result.bytes).toBeGreaterThan(0);
    const back = await engine.read(path);
    expect(back.map((r) => ({ ...r, data: Buffer.from(r.data).toString('hex') }))).toEqual(
      records.map((r) => ({ ...r, data: Buffer.from(r.data).toString('hex') })),
    );
  });

  it('stores UTF-8 JSON records in data_json and every other record in data, each recoverable byte for byte', async () => {
    const bodies: [string, Uint8Array, 'json' | 'data'][] = [
      ['JSON object with spaces', Buffer.from(' {"a" : 1, "é": "\\u00e9"}\n'), 'json'],
      ['JSON scalar', Buffer.from('null'), 'json'],
      ['binary', every256, 'data'],
      ['invalid UTF-8 around JSON', Buffer.from([0xff, 0x7b, 0x7d]), 'data'],
      ['JSON-looking but invalid', Buffer.from('{"a":1'), 'data'],
      ['two JSON documents', Buffer.from('{"a":1}{"b":2}'), 'data'],
      ['empty', new Uint8Array(0), 'data'],
    ];
    const rs = bodies.map(([, data], i) => ({ ...records[0], sequenceNumber: String(1000 + i), data }));
    const path = join(dir, 'json-column.parquet');
    await engine.write(rs, path);
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    const stored = (await c.runAndReadAll(`SELECT data IS NOT NULL, data_json IS NOT NULL FROM read_parquet('${path}')`)).getRows();
    expect(stored.map(([inData, inJson], i) => [bodies[i][0], inData ? 'data' : inJson ? 'json' : 'neither'])).toEqual(bodies.map(([name, , where]) => [name, where]));
    const back = await engine.read(path);
    expect(back.map((r) => Buffer.from(r.data).toString('hex'))).toEqual(bodies.map(([, data]) => Buffer.from(data).toString('hex')));
  });

  it('reads layout-1 files (every record in data, TIMESTAMP arrival time, no key-value metadata)', async () => {
    const path = join(dir, 'layout-1.parquet');
    const c = await (await DuckDBInstance.create(':memory:')).connect();
    await c.run(
      `COPY (SELECT 'orders' AS stream, 'shardId-000000000000' AS shard_id, '7' AS sequence_number, 0::BIGINT AS sub_sequence_number, 'k' AS partition_key,
                    NULL::VARCHAR AS explicit_hash_key, TIMESTAMP '2026-11-25 07:15:30.123' AS arrival_time, '\\x7B\\x7D'::BLOB AS data) TO '${path}' (FORMAT parquet)`,
    );
    const [r] = await engine.read(path);
    expect(r.arrivalTime).toBe(Date.UTC(2026, 10, 25, 7, 15, 30, 123));
    expect(Buffer.from(r.data).toString()).toBe('{}');
  });

  it('compresses with zstd', async () => {
    const path = join(dir, 'codec.parquet');
    await engine.write(records, path);
    expect(await engine.codecs(path)).toEqual(['ZSTD']);
  });

  it('keeps rows of a batch apart from other batches and counts their size', async () => {
    const a = await engine.openBatch();
    const b = await engine.openBatch();
    try {
      a.append(records[0]);
      a.append(records[1]);
      b.append(records[2]);
      expect(a.rowCount).toBe(2);
      expect(a.size).toBeGreaterThan(records[0].data.byteLength + records[1].data.byteLength);
      await a.writeTo(join(dir, 'a.parquet'));
      await b.writeTo(join(dir, 'b.parquet'));
    } finally {
      await a.discard();
      await b.discard();
    }
    expect((await engine.read(join(dir, 'a.parquet'))).map((r) => r.sequenceNumber)).toEqual([
      records[0].sequenceNumber,
      records[1].sequenceNumber,
    ]);
    expect((await engine.read(join(dir, 'b.parquet'))).map((r) => r.sequenceNumber)).toEqual([records[2].sequenceNumber]);
  });

  it('round-trips large data, large sub-sequence numbers and arrival times far from now exactly', async () => {
    const large = new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 256);
    const edge: ArchiveRecord[] = [
      { ...records[1], subSequenceNumber: 2 ** 31 + 5, arrivalTime: Date.UTC(1970, 0, 1, 0, 0, 0, 1), data: large },
      { ...records[0], arrivalTime: Date.UTC(2199, 11, 31, 23, 59, 59, 999), explicitHashKey: '0' },
    ];
    const path = join(dir, 'edge.parquet');
    await engine.write(edge, path);
    const back = await engine.read(path);
    expect(back.map((r) => ({ ...r, data: Buffer.from(r.data).toString('base64') }))).toEqual(
      edge.map((r) => ({ ...r, data: Buffer.from(r.data).toString('base64') })),
    );
  });

  describe('row order', () => {
    // 6,000 records of 2 KiB over 2 shards, 40 partition keys spread over time: row groups of ~4 MiB (2 or 3)
    const many: ArchiveRecord[] = Array.from({ length: 6_000 }, (_, i) => ({
      stream: 'orders',
      shardId: `shardId-00000000000${i % 2}`,
      sequenceNumber: String(49_000_000 + i),
      subSequenceNumber: 0,
      partitionKey: `pk-${(i * 7) % 40}`,
      explicitHashKey: null,
      arrivalTime: Date.UTC(2026, 0, 1) + i * 100,
      data: new TextEncoder().encode(JSON.stringify({ i, pad: 'x'.repeat(2_000) })),
    }));
    const writeAs = async (name: string, order?: 'sequence' | 'partition_key') => {
      const batch = await engine.openBatch();
      try {
        for (const r of many) batch.append(r);
        const path = join(dir, name);
        await batch.writeTo(path, undefined, archiveFieldColumns([['i']]), order);
        return path;
      } finally {
        await batch.discard();
      }
    };
    /** Row groups whose partition_key min/max may hold `key`. */
    const groupsFor = async (path: string, key: string) => {
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      try {
        const rows = (
          await c.runAndReadAll(
            `SELECT count(*) FILTER (WHERE stats_min_value <= '${key}' AND stats_max_value >= '${key}'), count(*)
               FROM parquet_metadata('${path}') WHERE path_in_schema = 'partition_key'`,
          )
        ).getRows()[0];
        return rows.map(Number);
      } finally {
        c.closeSync();
        db.closeSync();
      }
    };

    it('writes rows in append order by default, so every row group may hold any key', async () => {
      const path = await writeAs('sequence.parquet');
      expect((await engine.read(path)).map((r) => r.sequenceNumber)).toEqual(many.map((r) => r.sequenceNumber));
      const [holding, groups] = await groupsFor(path, 'pk-17');
      expect(groups).toBeGreaterThan(1);
      expect(holding).toBe(groups);
    });

    it('sorts by partition key, keeping each key\'s records in append order, so min/max leave one row group per key', async () => {
      const path = await writeAs('sorted.parquet', 'partition_key');
      const back = await engine.read(path);
      const keys = back.map((r) => r.partitionKey);
      expect(keys).toEqual([...keys].sort());
      const byKey = (rows: ArchiveRecord[], key: string) => rows.filter((r) => r.partitionKey === key).map((r) => `${r.shardId}/${r.sequenceNumber}`);
      for (const key of new Set(many.map((r) => r.partitionKey))) expect(byKey(back, key)).toEqual(byKey(many, key));
      // the same rows, field column included
      expect(back.map((r) => r.sequenceNumber).sort()).toEqual(many.map((r) => r.sequenceNumber).sort());
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      const [mismatched] = (await c.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}') WHERE payload__i IS DISTINCT FROM ${fieldValueSql('data_json', ['i'])}`)).getRows()[0];
      c.closeSync();
      db.closeSync();
      expect(Number(mismatched)).toBe(0);
      // each key in one row group, but for a key cut by a group boundary
      const holding = await Promise.all([...new Set(keys)].map(async (key) => (await groupsFor(path, key))[0]));
      const [, groups] = await groupsFor(path, 'pk-0');
      expect(groups).toBeGreaterThan(1);
      expect(holding.filter((n) => n === 1).length).toBeGreaterThanOrEqual(40 - (groups - 1));
      expect(Math.max(...holding)).toBeLessThanOrEqual(2);
    });

    it('sorts a batch of about the memory limit by partition key without running out of memory, every row once', async () => {
      // The archiver's DuckDB memory limit (128 MiB) may be about one buffer's size. A sort inside the
      // COPY failed here with Out of Memory (it needs about three times the rows in memory and cannot spill them).
      const limited = await ParquetEngine.create({ threads: 1, memoryLimit: '64MB', tempDirectory: join(dir, 'spill') });
      const batch = await limited.openBatch();
      const big: ArchiveRecord[] = Array.from({ length: 45_000 }, (_, i) => ({
        ...many[0],
        shardId: `shardId-00000000000${i % 4}`,
        sequenceNumber: String(50_000_000 + i),
        partitionKey: `pk-${(i * 7919) % 9_973}`,
        data: new TextEncoder().encode(JSON.stringify({ i, pad: String(i).repeat(200).slice(0, 1_000) })),
      }));
      const path = join(dir, 'limited.parquet');
      try {
        for (const r of big) batch.append(r);
        await batch.writeTo(path, undefined, archiveFieldColumns([['i']]), 'partition_key');
      } finally {
        await batch.discard();
        limited.close();
      }
      const back = await engine.read(path);
      expect(back).toHaveLength(big.length);
      const keys = back.map((r) => r.partitionKey);
      expect(keys).toEqual([...keys].sort());
      // each key's records in append order (ties kept across the sort's slices), and no record lost or repeated
      const byKey = (rows: ArchiveRecord[]) => {
        const m = new Map<string, string[]>();
        for (const r of rows) m.set(r.partitionKey, [...(m.get(r.partitionKey) ?? []), r.sequenceNumber]);
        return m;
      };
      expect(byKey(back)).toEqual(byKey(big));
    });

    it('refuses an unknown row order', async () => {
      await expect(writeArchiveFile(undefined as unknown as DuckDBConnection, { table: 't', path: '/tmp/x.parquet', recordBytes: 100, order: 'arrival' as 'sequence' })).rejects.toThrow(
        'unknown archive row order arrival',
      );
    });
  });

  it("writes arrival_time as the same instant whatever the session's TimeZone", async () => {
    const batch = await engine.openBatch();
    const path = join(dir, 'timezone.parquet');
    try {
      // The appender takes the instant's microseconds: a TimeZone must not shift them (TIMESTAMPTZ is UTC inside).
      await (batch as unknown as { connection: DuckDBConnection }).connection.run("SET TimeZone = 'Asia/Kolkata'");
      batch.append(records[0]);
      await batch.writeTo(path);
    } finally {
      await batch.discard();
    }
    expect((await engine.read(path))[0].arrivalTime).toBe(records[0].arrivalTime);
  });

  describe('field columns', () => {
    const bodies: [string, Uint8Array][] = [
      ['decimal with a trailing zero', Buffer.from('{"id":"o-1","amount":12.50,"customer":{"city":"Łódź","zip":"90-001"}}')],
      ['exponent', Buffer.from('{"id":"o-2","amount":1e3,"customer":{"city":"東京"}}')],
      ['integer beyond 64 bits', Buffer.from('{"id":"o-3","amount":123456789012345678901234567890}')],
      ['unicode, escapes and a NUL', Buffer.from('{"id":"żółw 🐢 \\"q\\" \\u0000 end","amount":-0.0}')],
      ['null and nested object values', Buffer.from('{"id":null,"amount":{"x":1},"customer":"flat"}')],
      ['boolean, path missing', Buffer.from('{"amount":true}')],
      ['JSON array', Buffer.from('[{"id":"not-a-root-key"}]')],
      ['binary', new Uint8Array(256).map((_, i) => i)],
      ['JSON-looking but invalid', Buffer.from('{"id":"o-9"')],
      ['empty', new Uint8Array(0)],
    ];
    const paths = [['id'], ['amount'], ['customer', 'city'], ['customer', 'zip']];
    const expected: (string | null)[][] = [
      ['o-1', '12.5', 'Łódź', '90-001'],
      ['o-2', '1000.0', '東京', null],
      ['o-3', '123456789012345678901234567890', null, null],
      ['żółw 🐢 "q" \u0000 end', '-0.0', null, null],
      [null, '{"x":1}', null, null],
      [null, 'true', null, null],
      [null, null, null, null],
      [null, null, null, null],
      [null, null, null, null],
      [null, null, null, null],
    ];
    const rs = bodies.map(([, data], i) => ({ ...records[0], sequenceNumber: String(2000 + i), data }));

    async function writeWithFields(name: string, fields = archiveFieldColumns(paths)): Promise<string> {
      const path = join(dir, name);
      const batch = await engine.openBatch();
      try {
        for (const r of rs) batch.append(r);
        await batch.writeTo(path, undefined, fields);
      } finally {
        await batch.discard();
      }
      return path;
    }

    it('writes one VARCHAR column per field after the archive columns and lists them under flux.fields', async () => {
      const path = await writeWithFields('fields-layout.parquet');
      const columns = await engine.describe(path);
      expect(columns.map((c) => c.name)).toEqual([
        ...ARCHIVE_COLUMNS.map((c) => c.name),
        'payload__id',
        'payload__amount',
        'payload__customer__city',
        'payload__customer__zip',
      ]);
      expect(columns.slice(ARCHIVE_COLUMNS.length).map((c) => c.type)).toEqual(['VARCHAR', 'VARCHAR', 'VARCHAR', 'VARCHAR']);
      const kv = await engine.keyValueMetadata(path);
      expect(JSON.parse(kv[ARCHIVE_KV_METADATA.fields])).toEqual([
        { path: ['id'], column: 'payload__id' },
        { path: ['amount'], column: 'payload__amount' },
        { path: ['customer', 'city'], column: 'payload__customer__city' },
        { path: ['customer', 'zip'], column: 'payload__customer__zip' },
      ]);
      expect(kv[ARCHIVE_KV_METADATA.layout]).toBe('2');
    });

    it('holds exactly what json_extract_string gives over the record, NULL for records that are not JSON or lack the path', async () => {
      const path = await writeWithFields('fields-values.parquet');
      const c = await (await DuckDBInstance.create(':memory:')).connect();
      const cols = 'payload__id, payload__amount, payload__customer__city, payload__customer__zip';
      const stored = (await c.runAndReadAll(`SELECT ${cols} FROM read_parquet('${path}')`)).getRows();
      expect(stored.map((row, i) => [bodies[i][0], ...row])).toEqual(bodies.map(([name], i) => [name, ...expected[i]]));
      // The same text a reader computes from the stored record (how the gateway reads an object without the column).
      const computed = (
        await c.runAndReadAll(
          `SELECT ${paths.map((p) => fieldValueSql(ARCHIVE_RECORD_SQL[2].payload, p)).join(', ')} FROM read_parquet('${path}')`,
        )
      ).getRows();
      expect(stored).toEqual(computed);
    });

    it('still reads every record back byte for byte', async () => {
      const path = await writeWithFields('fields-roundtrip.parquet');
      const back = await engine.read(path);
      expect(back.map((r) => Buffer.from(r.data).toString('hex'))).toEqual(bodies.map(([, data]) => Buffer.from(data).toString('hex')));
    });

    it('writes no field column and no flux.fields key without fields', async () => {
      const path = await writeWithFields('fields-none.parquet', []);
      expect((await engine.describe(path)).map((c) => c.name)).toEqual(ARCHIVE_COLUMNS.map((c) => c.name));
      expect(Object.keys(await engine.keyValueMetadata(path))).not.toContain(ARCHIVE_KV_METADATA.fields);
    });

    it('names colliding paths apart', () => {
      expect(archiveFieldColumns([['a-b'], ['a_b'], ['a', 'b']]).map((f) => f.column)).toEqual(['payload__a_b', 'payload__a_b_2', 'payload__a__b']);
    });
  });
});
