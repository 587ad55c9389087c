/**
 * One-off measurement behind docs/archiver.md "Row order": the same records written as the archiver writes them
 * (writeArchiveFile, DuckDB 1 thread) in sequence order and sorted by partition key, then looked up.
 *   node -r @swc-node/register tools/bench/archive-order-bench.ts [records=1000000] [kind=synthetic|orders]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { archiveFieldColumns, writeArchiveFile } from '@flux-capacitor/archive';
import type { ArchiveRowOrder } from '@flux-capacitor/contracts';

const records = Number(process.argv[2] ?? 1_000_000);
const kind = process.argv[3] ?? 'synthetic';
const dir = mkdtempSync(join(tmpdir(), 'flux-order-'));
const HOUR = Date.UTC(2026, 0, 1);

const synthetic = `'pk-' || (i % 10000) AS partition_key,
  encode('{"orderId":' || i || ',"shard":0,"type":"t' || (i % 5) || '","customer":"c' || (i % 1000) || '","amount":' || (i % 100) || '}') AS data`;
const orders = `'c' || (hash(i, 1) % 50000) AS partition_key,
  encode('{"orderId":"' || substr(md5(i::VARCHAR), 1, 20) || '","customer":"c' || (hash(i, 1) % 50000) ||
    '","status":"' || ['new','paid','shipped','delivered','cancelled'][1 + (hash(i, 2) % 5)::BIGINT] ||
    '","amount":' || ((hash(i, 3) % 100000) / 100.0)::DECIMAL(10,2) || ',"currency":"' || ['EUR','USD','GBP'][1 + (hash(i, 4) % 3)::BIGINT] ||
    '","items":' || (1 + hash(i, 5) % 5) || ',"address":{"city":"city' || (hash(i, 6) % 500) || '","country":"C' || (hash(i, 7) % 20) ||
    '"},"note":"' || substr(md5(i::VARCHAR || 'a') || md5(i::VARCHAR || 'b') || md5(i::VARCHAR || 'c'), 1, 20 + (hash(i, 8) % 61)::BIGINT) || '"}') AS data`;
const fields = archiveFieldColumns(
  kind === 'synthetic'
    ? [['orderId'], ['shard'], ['type'], ['customer'], ['amount']]
    : [['orderId'], ['customer'], ['status'], ['amount'], ['currency'], ['items'], ['address', 'city'], ['address', 'country']],
);

async function one(c: DuckDBConnection, sql: string): Promise<unknown[]> {
  return (await c.runAndReadAll(sql)).getRows()[0];
}

async function main(): Promise<void> {
  const writer = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: join(dir, 'spill') });
  const w = await writer.connect();
  await w.run(`CREATE TABLE batch AS SELECT 'orders' AS stream, 'shardId-000000000000' AS shard_id,
      '4960000000000000000000' || lpad(i::VARCHAR, 20, '0') AS sequence_number, 0::BIGINT AS sub_sequence_number,
      ${kind === 'synthetic' ? synthetic : orders}, NULL::VARCHAR AS explicit_hash_key,
      make_timestamptz((${HOUR} + floor(i * 3600000 / ${records}))::BIGINT * 1000) AS arrival_time_x
    FROM range(0, ${records}) r(i) ORDER BY i`);
  // the batch table's column order (ARCHIVE_COLUMNS but data_json)
  await w.run(`CREATE TABLE b AS SELECT stream, shard_id, sequence_number, sub_sequence_number, partition_key, explicit_hash_key,
      arrival_time_x AS arrival_time, data FROM batch ORDER BY sequence_number`);
  await w.run(`DROP TABLE batch`);
  const [bytes] = (await one(w, `SELECT sum(octet_length(data) + length(partition_key) + length(sequence_number)) FROM b`)) as bigint[];
  const recordBytes = Number(bytes) / records;
  const tableMiB = Number((await one(w, `SELECT sum(memory_usage_bytes) FROM duckdb_memory()`))[0]) / 2 ** 20;
  console.log(`${kind}: ${records} records, ${recordBytes.toFixed(0)} B each, batch table ${tableMiB.toFixed(0)} MiB in DuckDB`);

  const reader = await DuckDBInstance.create(':memory:', { threads: '2' });
  const r = await reader.connect();
  const keys = kind === 'synthetic' ? ['pk-777', 'pk-4242', 'pk-9999', 'pk-1', 'pk-5000'] : ['c777', 'c4242', 'c49999', 'c12345', 'c31337'];
  const from = HOUR + 1_800_000;
  const window = `arrival_time BETWEEN make_timestamptz(${from * 1000}) AND make_timestamptz(${(from + 36_000) * 1000})`;
  for (const order of ['sequence', 'partition_key', 'sequence', 'partition_key'] as ArchiveRowOrder[]) {
    const path = join(dir, `${order}.parquet`);
    const t0 = performance.now();
    await writeArchiveFile(w, { table: 'b', path, fields, recordBytes, order });
    const copyMs = performance.now() - t0;
    const size = statSync(path).size;
    const [groups] = (await one(r, `SELECT count(DISTINCT row_group_id) FROM parquet_metadata('${path}')`)) as bigint[];
    const lookups: string[] = [];
    let lookupMs = 0;
    for (const key of keys) {
      const [left] = (await one(
        r,
        `SELECT count(*) FROM parquet_metadata('${path}') WHERE path_in_schema = 'partition_key' AND stats_min_value <= '${key}' AND stats_max_value >= '${key}'`,
      )) as bigint[];
      const t = performance.now();
      const [n] = (await one(r, `SELECT count(*) FROM read_parquet('${path}') WHERE partition_key = '${key}'`)) as bigint[];
      lookupMs += performance.now() - t;
      lookups.push(`${key}:${n} rows/${left} groups`);
    }
    const t1 = performance.now();
    const [inWindow] = (await one(r, `SELECT count(*) FROM read_parquet('${path}') WHERE ${window}`)) as bigint[];
    const windowMs = performance.now() - t1;
    const t2 = performance.now();
    await one(r, `SELECT count(*), sum(length(data_json)) FROM read_parquet('${path}') WHERE ${window}`);
    const windowDataMs = performance.now() - t2;
    console.log(
      `${order.padEnd(13)} copy ${copyMs.toFixed(0)} ms, ${(size / 1e6).toFixed(2)} MB, ${groups} row groups; ` +
        `pk lookup ${(lookupMs / keys.length).toFixed(1)} ms mean [${lookups.join(' ')}]; ` +
        `1% time window ${windowMs.toFixed(1)} ms (${inWindow} rows), with data ${windowDataMs.toFixed(1)} ms`,
    );
  }
  // the sort under a memory limit close to the table's size (the archiver's DuckDB limit, 128 MiB, is about an object's size)
  for (const [factor, order] of [[1.2, 'sequence'], [1.2, 'partition_key'], [2, 'sequence'], [2, 'partition_key'], [3, 'partition_key']] as const) {
    const limit = Math.ceil(tableMiB * factor);
    await w.run(`SET memory_limit = '${limit}MB'`);
    const t0 = performance.now();
    const ok = await writeArchiveFile(w, { table: 'b', path: join(dir, 'limited.parquet'), fields, recordBytes, order }).then(
      () => 'ok',
      (e: Error) => e.message.split('\n')[0].slice(0, 100),
    );
    console.log(`${order} copy with memory_limit ${limit} MB (${factor}x the table): ${ok}, ${(performance.now() - t0).toFixed(0)} ms`);
  }
  w.closeSync();
  r.closeSync();
  writer.closeSync();
  reader.closeSync();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
