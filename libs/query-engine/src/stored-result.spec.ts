import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileArchiveStore, parseObjectKey } from '@flux-capacitor/archive';
import { DuckDbEngine } from './duckdb-engine';
import { decodeJobCursor, encodeJobCursor } from './query-jobs';
import { QueryResultStore, RESULTS_PREFIX } from './stored-result';

describe('QueryResultStore', () => {
  let root: string;
  let store: FileArchiveStore;
  let results: QueryResultStore;
  let engine: DuckDbEngine;
  const id = '6f1c1f5e-3a4b-4c5d-8e9f-0a1b2c3d4e5f';

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'flux-results-'));
    for (const dir of ['archive', 'transfers', 'runs']) mkdirSync(join(root, dir));
    store = new FileArchiveStore({ kind: 'file', uri: `file://${join(root, 'archive')}`, directory: join(root, 'archive') });
    results = new QueryResultStore(store, join(root, 'transfers'));
    engine = new DuckDbEngine({ workDir: join(root, 'runs'), threads: 1, memoryLimit: '256MB' });
  });
  afterAll(() => {
    engine.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('stores a result as NDJSON parts and Parquet under _results/<id>/, and pages it back across parts', async () => {
    const result = await engine.run({ sql: 'SELECT i, i::VARCHAR AS s FROM range(25000) t(i) ORDER BY i', sources: [], maxRows: 100_000, timeoutMs: 20_000 });
    const info = await results.save(id, result);
    result.close();
    expect(info).toEqual({ parts: 3, parquet: true });
    const keys: string[] = [];
    for await (const o of store.list(RESULTS_PREFIX)) keys.push(o.key);
    expect(keys).toEqual([`_results/${id}/part-00000.ndjson`, `_results/${id}/part-00001.ndjson`, `_results/${id}/part-00002.ndjson`, `_results/${id}/result.parquet`]);
    // no archive reader takes them for archive objects
    expect(keys.map(parseObjectKey)).toEqual([null, null, null, null]);

    const stored = results.open(id, result.columns, result.rowCount, result.truncated, info);
    const page = (await stored.readJsonLines(9_998, 5)).map((l) => JSON.parse(l) as { i: number; s: string });
    expect(page).toEqual([9998, 9999, 10000, 10001, 10002].map((i) => ({ i, s: String(i) })));
    expect(await stored.readJsonLines(24_999, 10)).toEqual(['{"i":24999,"s":"24999"}']);
    expect(await stored.readJsonLines(25_000, 10)).toEqual([]);
    const parquet = await stored.exportParquet();
    expect(readFileSync(parquet!).subarray(0, 4).toString()).toBe('PAR1');
    stored.close();

    await results.delete(id);
    const left: string[] = [];
    for await (const o of store.list(RESULTS_PREFIX)) left.push(o.key);
    expect(left).toEqual([]);
  });

  it('stores an empty result as no parts', async () => {
    const result = await engine.run({ sql: 'SELECT 1 AS one WHERE false', sources: [], maxRows: 10, timeoutMs: 20_000 });
    const info = await results.save('0f1c1f5e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', result);
    expect(info.parts).toBe(0);
    expect(await results.open('0f1c1f5e-3a4b-4c5d-8e9f-0a1b2c3d4e5f', result.columns, 0, false, info).readJsonLines(0, 100)).toEqual([]);
    result.close();
  });
});

describe('query history cursors', () => {
  it('reads back what it handed out and refuses anything else', () => {
    const cursor = { submittedAt: '2026-12-01T13:00:00.123Z', id: '6f1c1f5e-3a4b-4c5d-8e9f-0a1b2c3d4e5f' };
    expect(decodeJobCursor(encodeJobCursor(cursor))).toEqual(cursor);
    for (const bad of ['', 'not-base64!', Buffer.from('[]').toString('base64url'), encodeJobCursor({ ...cursor, submittedAt: '2026-13-45' }), encodeJobCursor({ ...cursor, id: "x' OR 1=1" })]) {
      expect(decodeJobCursor(bad)).toBeNull();
    }
  });
});
