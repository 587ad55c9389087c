import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { ParquetEngine } from '@flux-capacitor/archive';
import { ARCHIVE_KV_METADATA, fieldValueSql } from '@flux-capacitor/contracts';
import { announcementOf, writeSyntheticArchive } from './synthetic-archive';

describe('writeSyntheticArchive', () => {
  let dir: string;
  let engine: ParquetEngine;
  let db: DuckDBInstance;
  let c: DuckDBConnection;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flux-synthetic-'));
    engine = await ParquetEngine.create({ threads: 1 });
    db = await DuckDBInstance.create(':memory:', { threads: '1' });
    c = await db.connect();
  });
  afterAll(() => {
    c.closeSync();
    db.closeSync();
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const START = Date.UTC(2026, 0, 1);
  const base = { stream: 'orders', shards: 2, recordsPerShardHour: 40, hours: 1, startMs: START };

  it('writes the field columns it is given into layout-2 objects, lists them in flux.fields and announces them', async () => {
    const paths = [['orderId'], ['type'], ['customer'], ['amount'], ['shard']];
    const objects = await writeSyntheticArchive({ ...base, directory: join(dir, 'fields'), layout: 2, fields: paths });
    expect(objects).toHaveLength(2);
    for (const o of objects) {
      expect(o.fields.map((f) => f.path)).toEqual(paths);
      const metadata = await engine.keyValueMetadata(o.path);
      expect(JSON.parse(metadata[ARCHIVE_KV_METADATA.fields])).toEqual(o.fields);
      expect(announcementOf(o)).toMatchObject({ layout: 2, fields: o.fields });
      // each column holds exactly what the JSON path gives over the record
      const checks = o.fields.map((f) => `count(*) FILTER (WHERE ${JSON.stringify(f.column)} IS NOT DISTINCT FROM ${fieldValueSql('data_json', f.path)})`);
      const row = (await c.runAndReadAll(`SELECT count(*), ${checks.join(', ')} FROM read_parquet('${o.path}')`)).getRows()[0];
      expect(row.map(Number)).toEqual(Array(paths.length + 1).fill(40));
    }
  });

  it('writes no field columns by default and names `partitionKeys` distinct partition keys', async () => {
    const objects = await writeSyntheticArchive({ ...base, directory: join(dir, 'plain'), layout: 2, partitionKeys: 7 });
    for (const o of objects) {
      expect(o.fields).toEqual([]);
      expect(announcementOf(o)).not.toHaveProperty('fields');
      expect((await engine.keyValueMetadata(o.path))[ARCHIVE_KV_METADATA.fields]).toBeUndefined();
      const keys = new Set((await engine.read(o.path)).map((r) => r.partitionKey));
      expect([...keys].sort()).toEqual(Array.from({ length: 7 }, (_, i) => `pk-${i}`).sort());
    }
  });

  it('writes every shard of an hour into one object with objectScope stream, each shard a contiguous range', async () => {
    const objects = await writeSyntheticArchive({ ...base, directory: join(dir, 'stream'), layout: 2, objectScope: 'stream' });
    expect(objects).toHaveLength(1);
    const [o] = objects;
    expect(o.recordCount).toBe(80);
    expect(o.shards.map((s) => [s.shardId, s.recordCount])).toEqual([
      ['shardId-000000000000', 40],
      ['shardId-000000000001', 40],
    ]);
    expect(JSON.parse((await engine.keyValueMetadata(o.path))[ARCHIVE_KV_METADATA.shards])).toEqual(o.shards);
    const rows = await engine.read(o.path);
    expect(rows.map((r) => r.shardId)).toEqual([...Array(40).fill('shardId-000000000000'), ...Array(40).fill('shardId-000000000001')]);
    // the same records as shard scope writes, in two objects
    const perShard = await writeSyntheticArchive({ ...base, directory: join(dir, 'shard-scope'), layout: 2 });
    const all = (await Promise.all(perShard.map((p) => engine.read(p.path)))).flat();
    const text = (rs: typeof rows) => rs.map((r) => `${r.shardId}/${r.sequenceNumber}/${Buffer.from(r.data).toString()}`).sort();
    expect(text(rows)).toEqual(text(all));
    await expect(writeSyntheticArchive({ ...base, directory: join(dir, 'bad'), objectScope: 'stream' })).rejects.toThrow('one shard each');
  });

  it('refuses field columns for layout 1 and a partition key count below one', async () => {
    await expect(writeSyntheticArchive({ ...base, directory: join(dir, 'bad'), fields: [['orderId']] })).rejects.toThrow('layout-1 objects hold no field columns');
    await expect(writeSyntheticArchive({ ...base, directory: join(dir, 'bad'), layout: 2, partitionKeys: 0 })).rejects.toThrow('partitionKeys');
  });
});
