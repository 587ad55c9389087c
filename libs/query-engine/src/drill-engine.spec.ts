import { DrillEngine } from './drill-engine';
import { QueryEngineUnavailableError, QueryInvalidError, QuerySyntaxError, QueryTimeoutError } from './query.errors';

/**
 * CONTRACT tests: Apache Drill cannot run here. They pin the wire format of Drill's REST API as documented
 * (https://drill.apache.org/docs/rest-api-introduction/) and as Drill's own StreamingHttpConnection and
 * GenericExceptionMapper write it: POST /query.json with {queryType, query, autoLimit, defaultSchema, userName};
 * 200 with {queryId, columns, metadata, attemptedAutoLimit, rows, queryState}; failures as HTTP 500 {errorMessage}.
 */
interface Captured {
  url: string;
  init: RequestInit;
}

function fakeDrill(status: number, body: string): { fetch: typeof fetch; calls: Captured[] } {
  const calls: Captured[] = [];
  const fake = (async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init: init! });
    return new Response(body, { status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  return { fetch: fake, calls };
}

// The documented streaming layout (Drill 1.19+): header fields, rows, then the state.
const COMPLETED = `{"queryId" : "21504178-fd2e-55f8-f1dc-c99dfa707db7",
"columns" : [ "shard_id", "n", "payload" ],
"metadata" : [ "VARCHAR", "BIGINT", "VARCHAR" ],
"attemptedAutoLimit" : 3,
"rows" : [
{"shard_id":"shardId-000000000000","n":42,"payload":"{\\"type\\":\\"t1\\"}"}
,{"shard_id":"shardId-000000000001","n":7}
 ],
"queryState" : "COMPLETED"
}`;

describe('DrillEngine (contract)', () => {
  it('POSTs the documented JSON body to /query.json', async () => {
    const drill = fakeDrill(200, COMPLETED);
    const engine = new DrillEngine({ url: 'http://drill.example:8047/', defaultSchema: 'dfs.flux', userName: 'flux-reader', fetch: drill.fetch });
    await engine.run({ sql: 'SELECT shard_id, count(*) AS n FROM orders GROUP BY shard_id', maxRows: 2, timeoutMs: 5000 });
    expect(drill.calls).toHaveLength(1);
    expect(drill.calls[0].url).toBe('http://drill.example:8047/query.json');
    expect(drill.calls[0].init.method).toBe('POST');
    expect((drill.calls[0].init.headers as Record<string, string>)['content-type']).toBe('application/json');
    expect(JSON.parse(String(drill.calls[0].init.body))).toEqual({
      queryType: 'SQL',
      query: 'SELECT shard_id, count(*) AS n FROM orders GROUP BY shard_id',
      autoLimit: 3,
      defaultSchema: 'dfs.flux',
      userName: 'flux-reader',
    });
  });

  it("reads Drill's columns, metadata and rows, filling columns a row omits with null", async () => {
    const engine = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(200, COMPLETED).fetch });
    const result = await engine.run({ sql: 'SELECT 1', maxRows: 10, timeoutMs: 5000 });
    expect(result.columns).toEqual([
      { name: 'shard_id', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
      { name: 'payload', type: 'VARCHAR' },
    ]);
    expect(result.rowCount).toBe(2);
    expect(result.truncated).toBe(false);
    expect((await result.readJsonLines(0, 10)).map((l) => JSON.parse(l))).toEqual([
      { shard_id: 'shardId-000000000000', n: 42, payload: '{"type":"t1"}' },
      { shard_id: 'shardId-000000000001', n: 7, payload: null },
    ]);
    expect(await result.exportParquet()).toBeNull();
  });

  it('marks the result truncated when Drill returns more rows than the cap (autoLimit = cap + 1)', async () => {
    const engine = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(200, COMPLETED).fetch });
    const result = await engine.run({ sql: 'SELECT 1', maxRows: 1, timeoutMs: 5000 });
    expect(result.rowCount).toBe(1);
    expect(result.truncated).toBe(true);
  });

  it('maps a PARSE ERROR (HTTP 500 {"errorMessage"}) to a syntax error', async () => {
    const body = JSON.stringify({ errorMessage: 'PARSE ERROR: Encountered "FORM" at line 1, column 10.\n\nSQL Query: SELECT * FORM orders' });
    const engine = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(500, body).fetch });
    const err = await engine.run({ sql: 'SELECT * FORM orders', maxRows: 1, timeoutMs: 5000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect((err as Error).message).toContain('Encountered "FORM" at line 1, column 10');
  });

  it('maps a VALIDATION ERROR to an invalid query', async () => {
    const body = JSON.stringify({ errorMessage: "VALIDATION ERROR: From line 1, column 15 to line 1, column 20: Object 'ordrs' not found" });
    const engine = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(500, body).fetch });
    await expect(engine.run({ sql: 'SELECT * FROM ordrs', maxRows: 1, timeoutMs: 5000 })).rejects.toBeInstanceOf(QueryInvalidError);
  });

  it('reports a query that ended FAILED mid-stream, and any other failure, as the engine being unavailable', async () => {
    const failed = COMPLETED.replace('"COMPLETED"', '"FAILED"');
    const e1 = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(200, failed).fetch });
    await expect(e1.run({ sql: 'SELECT 1', maxRows: 1, timeoutMs: 5000 })).rejects.toBeInstanceOf(QueryEngineUnavailableError);
    const e2 = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(500, JSON.stringify({ errorMessage: 'RESOURCE ERROR: not enough memory' })).fetch });
    await expect(e2.run({ sql: 'SELECT 1', maxRows: 1, timeoutMs: 5000 })).rejects.toBeInstanceOf(QueryEngineUnavailableError);
    const e3 = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: fakeDrill(401, '<html>login</html>').fetch });
    await expect(e3.run({ sql: 'SELECT 1', maxRows: 1, timeoutMs: 5000 })).rejects.toBeInstanceOf(QueryEngineUnavailableError);
  });

  it('aborts the request when the timeout passes', async () => {
    const hanging = ((_url: string, init?: RequestInit) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch;
    const engine = new DrillEngine({ url: 'http://drill:8047', defaultSchema: 'dfs.flux', fetch: hanging });
    await expect(engine.run({ sql: 'SELECT 1', maxRows: 1, timeoutMs: 50 })).rejects.toBeInstanceOf(QueryTimeoutError);
  });
});
