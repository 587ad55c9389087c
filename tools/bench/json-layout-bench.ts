/**
 * `node -r @swc-node/register tools/bench/json-layout-bench.ts [-- --records 1000000 --binary 0.05 --runs 5 --threads 2]`
 *
 * How should the archive store records so that the query gateway's `payload` (the record as JSON, NULL when it is
 * not UTF-8 JSON) costs no more than an unguarded `decode(data)->>'f'`? Writes the same records (~1 KiB JSON, plus a
 * share of binary ones in a second file set) as zstd Parquet the way `ParquetBatch.writeTo` does (a DuckDB table,
 * then `COPY (SELECT ...) TO`), once per candidate layout, and prints per candidate: write time, size and guarded
 * scan time, each as a ratio to today's layout / the unguarded scan measured in the same run. Used for the table in
 * docs/query.md ("JSON at query time").
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

interface Args {
  records: number;
  binary: number;
  runs: number;
  threads: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { records: 1_000_000, binary: 0.05, runs: 5, threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key in args) (args as unknown as Record<string, number>)[key] = Number(argv[++i]);
  }
  return args;
}

/** How payload is computed from the stored columns, and how the stored columns are derived from `data`. */
interface Candidate {
  name: string;
  /** the COPY SELECT list over the staging table `src(… , data)` */
  write: string;
  /** payload over the written file's columns */
  payload: string;
  /** the record's bytes over the written file's columns */
  data: string;
}

const GUARD = `TRY_CAST(TRY(decode(data)) AS JSON)`;
const KEYS = `stream, shard_id, sequence_number, sub_sequence_number, partition_key, explicit_hash_key, arrival_time`;

const CANDIDATES: Candidate[] = [
  { name: 'today: data BLOB, payload = TRY_CAST(TRY(decode(data)) AS JSON)', write: `${KEYS}, data`, payload: GUARD, data: 'data' },
  {
    name: '(a) data BLOB + is_json BOOLEAN, payload = CASE WHEN is_json THEN decode(data)::JSON END',
    write: `${KEYS}, data, ${GUARD} IS NOT NULL AS is_json`,
    payload: `CASE WHEN is_json THEN decode(data)::JSON END`,
    data: 'data',
  },
  {
    name: '(b) JSON records in a JSON column, the rest in data: payload = data_json',
    write: `${KEYS}, CASE WHEN j IS NULL THEN data END AS data, j AS data_json FROM (SELECT *, ${GUARD} AS j FROM src)`,
    payload: `data_json`,
    data: `coalesce(data, encode(data_json))`,
  },
  {
    name: '(c) JSON records in a VARCHAR column, the rest in data: payload = data_text::JSON',
    write: `${KEYS}, CASE WHEN j IS NULL THEN data END AS data, j::VARCHAR AS data_text FROM (SELECT *, ${GUARD} AS j FROM src)`,
    payload: `data_text::JSON`,
    data: `coalesce(data, encode(data_text))`,
  },
];

interface Timing {
  /** CPU time of the process (DuckDB's threads included), ms: less disturbed by other load than wall time */
  cpu: number;
  wall: number;
}

/** Fastest of `runs` runs of `sql`. */
async function measure(c: DuckDBConnection, sql: string, runs: number): Promise<Timing> {
  const best = { cpu: Infinity, wall: Infinity };
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const wall0 = process.hrtime.bigint();
    await c.run(sql);
    const cpu = process.cpuUsage(cpu0);
    best.cpu = Math.min(best.cpu, (cpu.user + cpu.system) / 1000);
    best.wall = Math.min(best.wall, Number(process.hrtime.bigint() - wall0) / 1e6);
  }
  return best;
}

/** Stages N records in a DuckDB table `src`: ~1 KiB JSON objects, and a `binary` share of random bytes. */
async function stage(c: DuckDBConnection, records: number, binary: number): Promise<void> {
  // ~900 characters of hex from 28 md5s: varied, compressible about as well as real text payloads
  const filler = Array.from({ length: 28 }, (_, k) => `md5(CAST(i * 31 + ${k} AS VARCHAR))`).join(' || ');
  const every = binary > 0 ? Math.round(1 / binary) : 0;
  const json = `encode('{"orderId":' || i || ',"type":"t' || (i % 5) || '","customer":"c' || (i % 1000) || '","amount":' || (i % 100) || ',"note":"' || ${filler} || '"}')`;
  // random bytes (invalid UTF-8 almost always): a binary stream's records
  const bin = `unhex(${filler})`;
  await c.run(`CREATE OR REPLACE TABLE src AS
    SELECT 'orders' AS stream, 'shardId-' || lpad(CAST(i % 4 AS VARCHAR), 12, '0') AS shard_id,
           '4960000000000000000000' || lpad(CAST(i AS VARCHAR), 20, '0') AS sequence_number, 0::BIGINT AS sub_sequence_number,
           'pk-' || (i % 10000) AS partition_key, NULL::VARCHAR AS explicit_hash_key,
           make_timestamptz(1767225600000000 + i * 1000) AS arrival_time,
           ${every ? `CASE WHEN i % ${every} = 0 THEN ${bin} ELSE ${json} END` : json} AS data
    FROM range(0, ${records}) r(i) ORDER BY i`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'flux-json-layout-'));
  const instance = await DuckDBInstance.create(':memory:', { threads: String(args.threads) });
  const c = await instance.connect();
  try {
    await c.run(`SET TimeZone = 'UTC'`);
    for (const binary of [0, args.binary]) {
      await stage(c, args.records, binary);
      console.log(`\n${args.records} records, ${(binary * 100).toFixed(0)} % binary; fastest of ${args.runs} interleaved runs, CPU time of all DuckDB threads (wall in brackets); ${args.threads} threads`);
      const group = (payload: string, path: string) =>
        `SELECT ${payload}->>'type' AS type, count(*) AS n, sum((${payload}->>'amount')::INT) AS amount FROM read_parquet('${path}') GROUP BY 1 ORDER BY 1`;
      const results = [];
      for (const [i, cand] of CANDIDATES.entries()) {
        const path = join(dir, `c${i}-${binary}.parquet`);
        const select = cand.write.includes(' FROM ') ? cand.write : `${cand.write} FROM src`;
        const write = await measure(c, `COPY (SELECT ${select}) TO '${path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`, Math.min(3, args.runs));
        const differ = await c.runAndReadAll(
          `SELECT count(*) FROM src POSITIONAL JOIN (SELECT ${cand.data} AS back FROM read_parquet('${path}')) WHERE src.data IS DISTINCT FROM back`,
        );
        results.push({ cand, path, write, size: statSync(path).size, differ: Number(differ.getRows()[0][0]), scan: { cpu: Infinity, wall: Infinity } });
      }
      // the unguarded scan only runs where every record is JSON (decode fails on binary); with binary records the
      // baseline is today's guarded scan
      const baseline = { sql: group(binary === 0 ? 'decode(data)' : GUARD, results[0].path), best: { cpu: Infinity, wall: Infinity } };
      for (let r = 0; r < args.runs + 1; r++) {
        // the first round warms up and is not counted
        const keep = (best: Timing, t: Timing) => r > 0 && Object.assign(best, { cpu: Math.min(best.cpu, t.cpu), wall: Math.min(best.wall, t.wall) });
        keep(baseline.best, await measure(c, baseline.sql, 1));
        for (const res of results) keep(res.scan, await measure(c, group(res.cand.payload, res.path), 1));
      }
      const base = results[0];
      const rows: string[][] = [['layout', 'write cpu vs today', 'size vs today', binary === 0 ? 'guarded scan / unguarded (cpu, wall)' : 'guarded scan vs today (cpu, wall)', 'bytes exact']];
      for (const res of results) {
        rows.push([
          res.cand.name,
          `${(res.write.cpu / base.write.cpu).toFixed(2)} (${res.write.cpu.toFixed(0)} ms)`,
          `${((res.size / base.size - 1) * 100).toFixed(1)} % (${(res.size / 1e6).toFixed(1)} MB)`,
          `${(res.scan.cpu / baseline.best.cpu).toFixed(2)} (${res.scan.cpu.toFixed(0)} / ${baseline.best.cpu.toFixed(0)} ms), ${(res.scan.wall / baseline.best.wall).toFixed(2)}`,
          res.differ === 0 ? 'yes' : `NO (${res.differ} differ)`,
        ]);
      }
      const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
      for (const r of rows) console.log(r.map((v, i) => v.padEnd(widths[i])).join('  '));
    }
  } finally {
    c.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
