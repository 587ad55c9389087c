import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDbEngine } from './duckdb-engine';
import { writeNdjson } from './result-writers';
import { QueryCancelledError, QueryInvalidError, QueryRejectedError, QueryTimeoutError } from './query.errors';
import type { ArchiveFile, LiveRecord, StreamSource } from './stream-source';
import { syntheticSequenceNumber, writeSyntheticArchive, type SyntheticObject } from '@flux-capacitor/testing';

const START = Date.UTC(2026, 0, 1);
let root: string;
let workDir: string;
let objects: SyntheticObject[];
let engine: DuckDbEngine;

const asFile = (o: SyntheticObject): ArchiveFile => ({ path: o.path, layout: o.layout, shards: o.shards });
const live = (n: number, data: Uint8Array = new TextEncoder().encode(`{"orderId":${n}}`)): LiveRecord => ({
  shardId: 'shardId-000000000000',
  sequenceNumber: syntheticSequenceNumber(1_000_000 + n),
  subSequenceNumber: 0,
  partitionKey: `live-${n}`,
  arrivalTime: START + 10 * 3_600_000 + n,
  data,
});
const orders = (extra: Partial<StreamSource> = {}): StreamSource => ({ name: 'orders', archiveFiles: objects.map(asFile), live: [], ...extra });
const rows = async (sql: string, sources: StreamSource[] = [orders()], maxRows = 1000) => {
  const result = await engine.run({ sql, sources, maxRows, timeoutMs: 20_000 });
  try {
    return (await result.readJsonLines(0, maxRows)).map((l) => JSON.parse(l) as Record<string, unknown>);
  } finally {
    result.close();
  }
};

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-qe-'));
  workDir = join(root, 'work');
  mkdirSync(workDir);
  // 2 shards x 3 hours x 10 records, one object per shard-hour: 60 archived records.
  objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: 'orders', shards: 2, recordsPerShardHour: 10, hours: 3, startMs: START });
  engine = new DuckDbEngine({ workDir, threads: 1, memoryLimit: '256MB' });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** What the work folder holds now and did not hold `before` (idle instances keep their folders: see "instances"). */
const newEntries = (before: string[]) => readdirSync(workDir).filter((e) => !before.includes(e));

describe('DuckDbEngine: the stream view', () => {
  it('returns every archived and live record exactly once, with source telling them apart', async () => {
    const result = await rows('SELECT source, count(*) AS n, count(DISTINCT (shard_id, sequence_number, sub_sequence_number)) AS keys FROM orders GROUP BY source ORDER BY source', [
      orders({ live: [live(1), live(2), live(3)] }),
    ]);
    expect(result).toEqual([
      { source: 'archive', n: 60, keys: 60 },
      { source: 'live', n: 3, keys: 3 },
    ]);
  });

  it('counts a record once when two archive objects overlap (an archiver retry wrote it twice)', async () => {
    // A second object re-holding the first 4 records of shard 0, hour 0 (same keys, same bytes).
    const first = objects[0];
    const dupPath = join(root, 'dup.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(`COPY (SELECT * FROM read_parquet('${first.path}') ORDER BY sequence_number LIMIT 4) TO '${dupPath}' (FORMAT parquet)`);
    c.closeSync();
    db.closeSync();
    const dup: ArchiveFile = { path: dupPath, layout: 1, shards: [{ shardId: first.shardId, firstSequenceNumber: first.firstSequenceNumber, lastSequenceNumber: syntheticSequenceNumber(3), recordCount: 4 }] };
    const result = await rows('SELECT count(*) AS n FROM orders', [orders({ archiveFiles: [...objects.map(asFile), dup] })]);
    expect(result).toEqual([{ n: 60 }]);
  });

  it('exposes the exact bytes, the JSON payload, and NULL payload for bytes that are not JSON', async () => {
    const binary = new Uint8Array([0xff, 0x00, 0x7b, 0x01]);
    const result = await rows("SELECT partition_key, data, payload, arrival_time FROM orders WHERE source = 'live' ORDER BY partition_key", [
      orders({ live: [live(1), live(2, binary), live(3, new TextEncoder().encode('not json'))] }),
    ]);
    expect(result).toEqual([
      { partition_key: 'live-1', data: Buffer.from('{"orderId":1}').toString('base64'), payload: { orderId: 1 }, arrival_time: new Date(START + 10 * 3_600_000 + 1).toISOString() },
      { partition_key: 'live-2', data: Buffer.from(binary).toString('base64'), payload: null, arrival_time: new Date(START + 10 * 3_600_000 + 2).toISOString() },
      { partition_key: 'live-3', data: Buffer.from('not json').toString('base64'), payload: null, arrival_time: new Date(START + 10 * 3_600_000 + 3).toISOString() },
    ]);
  });

  it('answers a group-by on a JSON field and keeps the order the query asked for', async () => {
    const result = await rows("SELECT payload->>'type' AS type, count(*) AS n FROM orders GROUP BY 1 ORDER BY 1 DESC");
    expect(result).toEqual(['t4', 't3', 't2', 't1', 't0'].map((type) => ({ type, n: 12 })));
  });

  it('caps the rows and says the result was truncated', async () => {
    const result = await engine.run({ sql: 'SELECT * FROM orders', sources: [orders()], maxRows: 7, timeoutMs: 20_000 });
    try {
      expect(result.rowCount).toBe(7);
      expect(result.truncated).toBe(true);
      expect(await result.readJsonLines(5, 10)).toHaveLength(2);
    } finally {
      result.close();
    }
  });

  it('keeps the order of a large result across pages and NDJSON chunks', async () => {
    const result = await engine.run({ sql: 'SELECT i FROM range(25000) AS t(i) ORDER BY i DESC', sources: [], maxRows: 100_000, timeoutMs: 20_000 });
    try {
      let text = '';
      await writeNdjson(result, (chunk) => {
        text += chunk;
      });
      const values = text.trim().split('\n').map((l) => (JSON.parse(l) as { i: number }).i);
      expect(values).toHaveLength(25000);
      expect(values.every((v, k) => v === 24999 - k)).toBe(true);
      expect(await result.readJsonLines(24998, 10)).toEqual(['{"i":1}', '{"i":0}']);
    } finally {
      result.close();
    }
  });

  it('writes each row as an object whatever its columns are named (a column named t or __flux_row is a column)', async () => {
    expect(await rows(`SELECT 1 AS t, 2 AS x, 3 AS "__flux_row", 4 AS "__FLUX_ROW_" FROM orders LIMIT 1`)).toEqual([{ t: 1, x: 2, __flux_row: 3, __FLUX_ROW_: 4 }]);
  });

  it('refuses a result column named rowid (the result is paged by row id), saying so', async () => {
    await expect(rows(`SELECT sequence_number AS RowId, shard_id FROM orders`)).rejects.toThrow(/a result column cannot be named RowId: give it another alias/);
    expect(await rows(`SELECT sequence_number AS row_id FROM orders ORDER BY 1 DESC LIMIT 2`)).toHaveLength(2);
  });

  it('exports the result as Parquet', async () => {
    const result = await engine.run({ sql: 'SELECT shard_id, sequence_number FROM orders ORDER BY 1, 2', sources: [orders()], maxRows: 100, timeoutMs: 20_000 });
    const path = (await result.exportParquet())!;
    // exported once: a second call (a download after the result was stored) gets the same, written file
    expect(await result.exportParquet()).toBe(path);
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    const n = (await c.runAndReadAll(`SELECT count(*) FROM read_parquet('${path}')`)).getRows()[0][0];
    c.closeSync();
    db.closeSync();
    result.close();
    expect(Number(n)).toBe(60);
    expect(existsSync(path)).toBe(false);
  });
});

describe('DuckDbEngine: safety', () => {
  it.each([
    ['read_csv of /etc/passwd', "SELECT * FROM read_csv('/etc/passwd')"],
    ['read_text of /etc/passwd', "SELECT * FROM read_text('/etc/passwd')"],
    ['read_blob of /etc/passwd', "SELECT * FROM read_blob('/etc/passwd')"],
    ['glob over the file system', "SELECT * FROM glob('/etc/*')"],
    ['read_parquet outside the query objects', "SELECT * FROM read_parquet('/tmp/**/*.parquet')"],
    ['a URL', "SELECT * FROM read_csv('http://127.0.0.1:1/x.csv')"],
    ['the secrets manager', 'SELECT * FROM duckdb_secrets()'],
  ])('refuses %s with a rejection, not data', async (_name, sql) => {
    await expect(rows(sql)).rejects.toBeInstanceOf(QueryRejectedError);
  });

  it.each([
    ['COPY ... TO', "COPY (SELECT 1) TO '__TARGET__'"],
    ['ATTACH', "ATTACH '__TARGET__' AS pwned"],
    ['a read then a write', "SELECT 1; COPY (SELECT 1) TO '__TARGET__'"],
    ['SET', "SET allowed_directories = ['/']"],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD httpfs'],
    ['PRAGMA', 'PRAGMA threads=8'],
  ])('refuses %s and leaves nothing behind', async (_name, template) => {
    const target = join(root, `pwned-${Math.random().toString(36).slice(2)}`);
    const before = readdirSync(workDir);
    await expect(rows(template.replace('__TARGET__', target))).rejects.toBeInstanceOf(QueryRejectedError);
    expect(existsSync(target)).toBe(false);
    expect(newEntries(before)).toEqual([]);
  });

  it('cannot read a file next to the archive objects it may read', async () => {
    const secret = join(root, 'archive', 'orders', 'secret.txt');
    writeFileSync(secret, 'top secret');
    await expect(rows(`SELECT * FROM read_text('${secret}')`)).rejects.toBeInstanceOf(QueryRejectedError);
  });

  it('reports an unknown table as the user\'s error', async () => {
    await expect(rows('SELECT * FROM ordrs')).rejects.toBeInstanceOf(QueryInvalidError);
  });

  it('interrupts a query that runs past its timeout', async () => {
    const before = readdirSync(workDir);
    await expect(engine.run({ sql: 'SELECT count(*) FROM range(100000000000)', sources: [], maxRows: 10, timeoutMs: 300 })).rejects.toBeInstanceOf(QueryTimeoutError);
    expect(newEntries(before)).toEqual([]);
  });

  it('stops a query when it is cancelled', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await expect(engine.run({ sql: 'SELECT count(*) FROM range(100000000000)', sources: [], maxRows: 10, timeoutMs: 60_000, signal: controller.signal })).rejects.toBeInstanceOf(
      QueryCancelledError,
    );
  });
});

describe('DuckDbEngine: an instance is reused by the next query over the same objects', () => {
  let own: DuckDbEngine;
  let ownDir: string;
  const run = async (sql: string, sources: StreamSource[]) => {
    const result = await own.run({ sql, sources, maxRows: 1000, timeoutMs: 20_000 });
    try {
      return (await result.readJsonLines(0, 1000)).map((l) => JSON.parse(l) as Record<string, unknown>);
    } finally {
      result.close();
    }
  };
  const idle = () => readdirSync(ownDir).sort();
  // A released instance is idle once its query's views and tables are dropped (one statement, off the caller's path).
  const idleAre = (n: number) => vi.waitFor(() => expect([own.idleInstances, idle().length]).toEqual([n, n]));
  const liveKeys = "SELECT partition_key FROM orders WHERE source = 'live' ORDER BY partition_key";

  beforeEach(() => {
    ownDir = mkdtempSync(join(root, 'own-'));
    own = new DuckDbEngine({ workDir: ownDir, threads: 1, memoryLimit: '256MB' });
  });
  afterEach(() => own.close());

  it("reads its own live records, never an earlier query's, in the same instance", async () => {
    expect(await run(liveKeys, [orders({ live: [live(1)] })])).toEqual([{ partition_key: 'live-1' }]);
    await idleAre(1);
    const [first] = idle();
    expect(await run(liveKeys, [orders({ live: [live(2), live(3)] })])).toEqual([{ partition_key: 'live-2' }, { partition_key: 'live-3' }]);
    await idleAre(1);
    // the same folder: the second query ran in the first one's instance
    expect(idle()).toEqual([first]);
    expect(await run('SELECT count(*) AS n FROM orders', [orders()])).toEqual([{ n: 60 }]);
    expect(idle()).toEqual([first]);
  });

  it('keeps the sandbox: a reused instance cannot read other files, and one whose query failed is closed', async () => {
    const secret = join(root, 'archive', 'orders', 'secret-reused.txt');
    writeFileSync(secret, 'top secret');
    await run('SELECT count(*) AS n FROM orders', [orders()]);
    await idleAre(1);
    await expect(run(`SELECT * FROM read_text('${secret}')`, [orders()])).rejects.toBeInstanceOf(QueryRejectedError);
    // the object of another query is outside this instance's files too
    await expect(run(`SELECT count(*) FROM read_parquet('${objects[0].path}')`, [orders({ archiveFiles: objects.slice(1).map(asFile) })])).rejects.toBeInstanceOf(
      QueryRejectedError,
    );
    expect(idle()).toEqual([]);
    expect(await run('SELECT count(*) AS n FROM orders', [orders()])).toEqual([{ n: 60 }]);
  });

  it('gives a query over other objects another instance, and keeps at most four idle', async () => {
    for (let i = 0; i < 6; i++) {
      const files = objects.filter((_, j) => j !== i).map(asFile);
      expect(await run('SELECT count(*) AS n FROM orders', [orders({ archiveFiles: files })])).toEqual([{ n: 50 }]);
    }
    await idleAre(4);
    own.close();
    expect(idle()).toEqual([]);
  });

  it("refuses an export after its result was released, and keeps no instance whose export was in flight", async () => {
    const first = await own.run({ sql: liveKeys, sources: [orders({ live: [live(1)] })], maxRows: 10, timeoutMs: 20_000 });
    first.close();
    await idleAre(1);
    // the instance serves the next query now: a late export of the first would copy that query's rows
    const second = await own.run({ sql: liveKeys, sources: [orders({ live: [live(2)] })], maxRows: 10, timeoutMs: 20_000 });
    await expect(first.exportParquet()).rejects.toMatchObject({ code: 'QUERY_RESULT_CLOSED' });
    const exporting = second.exportParquet();
    second.close();
    await exporting;
    await vi.waitFor(() => expect(idle()).toEqual([]));
    expect(own.idleInstances).toBe(0);
  });

  it("gives a reused instance a new random seed: one query's setseed() does not decide the next one's random()", async () => {
    const seeded = async () => {
      await run('SELECT setseed(0.5) AS s FROM orders LIMIT 1', [orders()]);
      await idleAre(1);
      const [{ r }] = await run('SELECT random() AS r FROM orders LIMIT 1', [orders()]);
      await idleAre(1);
      return r;
    };
    const [first] = [await seeded(), idle()];
    expect(await seeded()).not.toBe(first);
  });

  it('closes an instance a query changed beyond its own objects (logging switched on) instead of keeping it', async () => {
    // The gateway's guard refuses enable_logging() (a table function outside its allow-list); the engine does not.
    await run('SELECT * FROM enable_logging()', [orders()]);
    await vi.waitFor(() => expect(idle()).toEqual([]));
    expect(own.idleInstances).toBe(0);
  });

  it('keeps none with maxIdleInstances 0 (FLUX_QUERY_IDLE_INSTANCES=0): every query gets a fresh instance', async () => {
    const none = new DuckDbEngine({ workDir: ownDir, threads: 1, memoryLimit: '256MB', maxIdleInstances: 0 });
    try {
      const result = await none.run({ sql: 'SELECT count(*) AS n FROM orders', sources: [orders()], maxRows: 10, timeoutMs: 20_000 });
      expect(await result.readJsonLines(0, 10)).toEqual(['{"n":60}']);
      result.close();
      expect(none.idleInstances).toBe(0);
      expect(idle()).toEqual([]);
    } finally {
      none.close();
    }
  });

  it("exports each query's own result as Parquet", async () => {
    const exported = async (n: number) => {
      const result = await own.run({ sql: liveKeys, sources: [orders({ live: [live(n)] })], maxRows: 10, timeoutMs: 20_000 });
      try {
        const db = await DuckDBInstance.create(':memory:');
        const c = await db.connect();
        const keys = (await c.runAndReadAll(`SELECT partition_key FROM read_parquet('${(await result.exportParquet())!}')`)).getRows();
        c.closeSync();
        db.closeSync();
        return keys;
      } finally {
        result.close();
      }
    };
    expect(await exported(7)).toEqual([['live-7']]);
    await idleAre(1);
    expect(await exported(8)).toEqual([['live-8']]);
  });
});
