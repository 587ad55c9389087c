import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchiveStore } from '@flux-capacitor/archive';
import { ArchiveObjectCache } from './archive-object-cache';
import { DrillEngine } from './drill-engine';
import { DuckDbEngine } from './duckdb-engine';
import type { LiveTailOptions } from './live-tail';
import { register } from 'prom-client';
import { QueryCancelledError, QueryInvalidError, QueryNotFoundError, QueryNotReadyError, QueryOverloadedError, QueryRejectedError, QuerySyntaxError } from './query.errors';
import type { LiveTailReader, QueryCatalog } from './query-planner';
import { QueryService, type QueryServiceLimits } from './query-service';
import { SqlAnalyzer } from './sql-analysis';
import type { LiveRecord } from './stream-source';
import { syntheticSequenceNumber, writeSyntheticArchive, type SyntheticObject } from '@flux-capacitor/testing';

const START = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
let root: string;
let objects: SyntheticObject[];

/** The catalog's contract, over the synthetic objects (the real CatalogReader is exercised in integration tests). */
class FakeCatalog implements QueryCatalog {
  ranges: { from?: Date; to?: Date }[] = [];
  /** thrown by the next listObjects, to play a bug or an outage */
  failWith?: Error;
  async listObjects(stream: string, range: { from?: Date; to?: Date } = {}) {
    if (this.failWith) throw this.failWith;
    this.ranges.push(range);
    return objects.filter(
      (o) => o.stream === stream && (!range.from || o.lastArrivalTime >= range.from) && (!range.to || o.firstArrivalTime <= range.to),
    );
  }
  async shardHighWatermarks(stream: string) {
    const marks = new Map<string, string>();
    for (const o of objects.filter((x) => x.stream === stream)) {
      const cur = marks.get(o.shardId);
      if (!cur || BigInt(o.lastSequenceNumber) > BigInt(cur)) marks.set(o.shardId, o.lastSequenceNumber);
    }
    return marks;
  }
}

/** Kinesis holds the archived records too; the tail must start after each shard's watermark. */
class FakeLiveTail implements LiveTailReader {
  watermarks?: Map<string, string>;
  constructor(private readonly records: LiveRecord[]) {}
  async read(_stream: string, watermarks: Map<string, string>, opts: LiveTailOptions) {
    this.watermarks = watermarks;
    const after = this.records.filter((r) => !watermarks.has(r.shardId) || BigInt(r.sequenceNumber) > BigInt(watermarks.get(r.shardId)!));
    return { records: after.slice(0, opts.maxRecords), shardsRead: 2, truncated: after.length > opts.maxRecords };
  }
}

const limits: QueryServiceLimits = {
  defaultEngine: 'duckdb',
  timeoutMs: 20_000,
  maxRows: 1000,
  syncMaxRows: 5,
  maxConcurrent: 1,
  resultTtlMs: 60_000,
  live: { enabled: true, maxRecords: 100, budgetMs: 5000 },
};

function service(liveRecords: LiveRecord[] = [], overrides: Partial<QueryServiceLimits> = {}, drill?: DrillEngine) {
  const catalog = new FakeCatalog();
  const tail = new FakeLiveTail(liveRecords);
  const work = mkdtempSync(join(root, 'work-'));
  const svc = new QueryService({
    catalog,
    analyzer: new SqlAnalyzer(),
    duckdb: new DuckDbEngine({ workDir: work, threads: 1, memoryLimit: '256MB' }),
    cache: new ArchiveObjectCache({ directory: join(work, 'cache'), maxBytes: 10_000_000, store: new FileArchiveStore({ kind: 'file', uri: `file://${root}/archive`, directory: join(root, 'archive') }) }),
    liveTail: tail,
    drill,
    limits: { ...limits, ...overrides },
  });
  return { svc, catalog, tail };
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-qs-'));
  mkdirSync(join(root, 'archive'));
  // 2 shards x 6 hours x 10 records = 120 archived records, 12 objects.
  objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: 'orders', shards: 2, recordsPerShardHour: 10, hours: 6, startMs: START });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('QueryService', () => {
  it('runs an asynchronous query to completion and reports objects and rows scanned', async () => {
    const { svc } = service();
    const count = async (name: string, labels: Record<string, string>) =>
      (await register.getSingleMetric(name)?.get())?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
    const before = { queries: await count('flux_query_queries_total', { engine: 'duckdb', outcome: 'succeeded' }), bytes: await count('flux_query_scanned_bytes_total', { engine: 'duckdb' }) };
    const started = await svc.submit({ sql: 'SELECT count(*) AS n FROM orders' });
    expect(['queued', 'running']).toContain(started.state);
    const done = await svc.wait(started.id);
    expect(done).toMatchObject({ state: 'succeeded', rowCount: 1, progress: { objectsTotal: 12, objectsScanned: 12 } });
    expect(await svc.results(started.id).readJsonLines(0, 10)).toEqual(['{"n":120}']);
    // /metrics: one more succeeded duckdb query, its planned bytes, one duration observation
    expect(await count('flux_query_queries_total', { engine: 'duckdb', outcome: 'succeeded' })).toBe(before.queries + 1);
    expect(await count('flux_query_scanned_bytes_total', { engine: 'duckdb' })).toBe(before.bytes + done.progress.bytesScanned);
    expect(done.progress.bytesScanned).toBeGreaterThan(0);
    svc.close();
  });

  it("prunes archive objects with the query's arrival_time predicates", async () => {
    const { svc, catalog } = service();
    const q = await svc.submit({
      sql: `SELECT count(*) AS n FROM orders WHERE arrival_time >= '2026-01-01 02:00:00' AND arrival_time < '2026-01-01 03:59:00'`,
    });
    const done = await svc.wait(q.id);
    expect(catalog.ranges).toEqual([{ from: new Date(START + 2 * HOUR), to: new Date(START + 4 * HOUR - 60_000) }]);
    // hours 2 and 3 of both shards, plus nothing else
    expect(done.progress.objectsTotal).toBe(4);
    expect(await svc.results(q.id).readJsonLines(0, 1)).toEqual(['{"n":40}']);
    svc.close();
  });

  it('adds the live tail after the archive checkpoint, so records in both appear exactly once', async () => {
    // Kinesis still holds the last 3 archived records of shard 0 and 5 newer ones.
    const shard0 = objects.filter((o) => o.shardId === 'shardId-000000000000');
    const last = BigInt(shard0[shard0.length - 1].lastSequenceNumber);
    const kinesis: LiveRecord[] = [];
    for (let i = -2n; i <= 5n; i++) {
      kinesis.push({ shardId: 'shardId-000000000000', sequenceNumber: syntheticSequenceNumber(last - 4960000000000000000000n * 10n ** 20n + i), subSequenceNumber: 0, partitionKey: `k${i}`, arrivalTime: START + 6 * HOUR + Number(i) + 10, data: new TextEncoder().encode('{}') });
    }
    const { svc, tail } = service(kinesis);
    const q = await svc.submit({ sql: 'SELECT source, count(*) AS n FROM orders GROUP BY source ORDER BY source' });
    const done = await svc.wait(q.id);
    expect(tail.watermarks?.get('shardId-000000000000')).toBe(shard0[shard0.length - 1].lastSequenceNumber);
    expect(done.progress.liveRecords).toBe(5);
    expect(await svc.results(q.id).readJsonLines(0, 10)).toEqual(['{"source":"archive","n":120}', '{"source":"live","n":5}']);
    svc.close();
  });

  it('refuses hostile or broken SQL on submit, before handing out an id', async () => {
    const { svc } = service();
    await expect(svc.submit({ sql: "COPY (SELECT 1) TO '/tmp/x'" })).rejects.toBeInstanceOf(QueryRejectedError);
    await expect(svc.submit({ sql: 'SELECT * FROM' })).rejects.toBeInstanceOf(QuerySyntaxError);
    svc.close();
  });

  it('refuses an unknown column, or a file read outside the archive, on submit', async () => {
    const { svc } = service();
    await expect(svc.submit({ sql: 'SELECT nope FROM orders' })).rejects.toBeInstanceOf(QueryInvalidError);
    await expect(svc.submit({ sql: "SELECT * FROM read_csv('/etc/passwd')" })).rejects.toBeInstanceOf(QueryRejectedError);
    svc.close();
  });

  it('records a failure found while running (a bad cast) in the query state instead of throwing', async () => {
    const { svc } = service();
    const q = await svc.submit({ sql: 'SELECT CAST(partition_key AS INTEGER) FROM orders' });
    const done = await svc.wait(q.id);
    expect(done.state).toBe('failed');
    expect(done.error?.code).toBe('QUERY_INVALID');
    expect(() => svc.results(q.id)).toThrow(QueryNotReadyError);
    svc.close();
  });

  it('rethrows the original error of a failed synchronous query, with its cause', async () => {
    const { svc } = service();
    const err = await svc.runSync({ sql: 'SELECT CAST(partition_key AS INTEGER) FROM orders' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryInvalidError);
    expect((err as QueryInvalidError).message).toMatch(/Conversion Error/);
    expect((err as QueryInvalidError).cause).toBeInstanceOf(Error);
    svc.close();
  });

  it('passes a bug (a TypeError) through unchanged, and shows it in the status only as internal', async () => {
    const { svc, catalog } = service();
    const bug = new TypeError("Cannot read properties of undefined (reading 'uri')");
    catalog.failWith = bug;
    await expect(svc.runSync({ sql: 'SELECT count(*) FROM orders' })).rejects.toBe(bug);
    const q = await svc.submit({ sql: 'SELECT count(*) FROM orders' });
    const done = await svc.wait(q.id);
    expect(done.state).toBe('failed');
    expect(done.error).toEqual({ code: 'INTERNAL', message: 'internal error; the service log has the details' });
    await expect(svc.waitForSuccess(q.id)).rejects.toBe(bug);
    svc.close();
  });

  it('rethrows a cancellation as QueryCancelledError from waitForSuccess', async () => {
    const { svc } = service();
    const q = await svc.submit({ sql: 'SELECT count(*) FROM range(100000000000)' });
    svc.cancel(q.id);
    await expect(svc.waitForSuccess(q.id)).rejects.toBeInstanceOf(QueryCancelledError);
    svc.close();
  });

  it('caps a synchronous query at the synchronous row cap', async () => {
    const { svc } = service();
    const { status, result } = await svc.runSync({ sql: 'SELECT * FROM orders' });
    expect(status).toMatchObject({ state: 'succeeded', rowCount: 5, truncated: true });
    result.close();
    svc.close();
  });

  it('cancels a running query and queues queries past the concurrency limit', async () => {
    const { svc } = service([], { maxConcurrent: 1 });
    const slow = await svc.submit({ sql: 'SELECT count(*) FROM range(100000000000)' });
    const next = await svc.submit({ sql: 'SELECT 1 AS one' });
    expect(svc.status(next.id).state).toBe('queued');
    svc.cancel(slow.id);
    expect((await svc.wait(slow.id)).state).toBe('cancelled');
    expect((await svc.wait(next.id)).state).toBe('succeeded');
    svc.close();
  });

  it('gives a queued query its whole timeout once it runs, however long it waited', async () => {
    const { svc } = service([], { maxConcurrent: 1, timeoutMs: 2000 });
    // two queries that each hold the one slot for the whole timeout: the third waits longer than a timeout
    const slow = [await svc.submit({ sql: 'SELECT count(*) FROM range(100000000000)' }), await svc.submit({ sql: 'SELECT count(*) FROM range(100000000000)' })];
    // a query of some 100 ms, which would be interrupted at once if the wait counted against its timeout
    const next = await svc.submit({ sql: 'SELECT sum(i % 7) AS s FROM range(30000000) AS t(i)' });
    for (const q of slow) expect((await svc.wait(q.id)).error?.code).toBe('QUERY_TIMEOUT');
    expect(await svc.wait(next.id)).toMatchObject({ state: 'succeeded', rowCount: 1 });
    svc.close();
  });

  it("refuses an owner's query past its queue share before checking the SQL, and admits another owner", async () => {
    const { svc } = service([], { maxConcurrent: 2, admission: { maxConcurrentPerToken: 1, maxQueued: 10, maxQueuedPerToken: 0 } });
    const slow = await svc.submit({ sql: 'SELECT count(*) FROM range(100000000000)' }, 'token:a');
    // not even parsed: the refusal is cheap
    const rejections = async () => (await register.getSingleMetric('flux_query_admission_rejections_total')!.get()).values[0]?.value ?? 0;
    const before = await rejections();
    await expect(svc.submit({ sql: 'SELECT FROM WHERE' }, 'token:a')).rejects.toBeInstanceOf(QueryOverloadedError);
    expect(await rejections()).toBe(before + 1);
    await expect(svc.submit({ sql: 'SELECT FROM WHERE' }, 'token:b')).rejects.toBeInstanceOf(QuerySyntaxError);
    expect(await rejections()).toBe(before + 1);
    const other = await svc.runSync({ sql: 'SELECT 1 AS one' }, 'token:b');
    expect(other.status.state).toBe('succeeded');
    other.result.close();
    svc.cancel(slow.id);
    svc.close();
  });

  it('sends a query to Drill when the request chooses it (contract: Drill is faked at its REST boundary)', async () => {
    const bodies: unknown[] = [];
    const fakeFetch = (async (_url: string, init?: RequestInit) => {
      bodies.push(JSON.parse(String(init?.body)));
      return new Response(JSON.stringify({ queryId: 'q1', columns: ['n'], metadata: ['BIGINT'], rows: [{ n: 120 }], queryState: 'COMPLETED' }), { status: 200 });
    }) as unknown as typeof fetch;
    const { svc } = service([], {}, new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeFetch }));
    const q = await svc.submit({ sql: 'SELECT count(*) AS n FROM dfs.flux.orders', engine: 'drill' });
    expect((await svc.wait(q.id)).state).toBe('succeeded');
    expect(await svc.results(q.id).readJsonLines(0, 1)).toEqual(['{"n":120}']);
    expect(bodies).toEqual([{ queryType: 'SQL', query: 'SELECT count(*) AS n FROM dfs.flux.orders', autoLimit: 1001, defaultSchema: 'dfs.flux' }]);
    // Drill queries pass the same SQL gate.
    await expect(svc.submit({ sql: 'SELECT 1; SELECT 2', engine: 'drill' })).rejects.toBeInstanceOf(QueryRejectedError);
    svc.close();
  });

  it('refuses the drill engine when it is not configured', async () => {
    const { svc } = service();
    await expect(svc.submit({ sql: 'SELECT 1', engine: 'drill' })).rejects.toBeInstanceOf(QueryRejectedError);
    svc.close();
  });

  it('answers an unknown id with not-found', () => {
    const { svc } = service();
    expect(() => svc.status('00000000-0000-0000-0000-000000000000')).toThrow(QueryNotFoundError);
    svc.close();
  });
});
