import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createTestDatabase, startServiceProcess, testEnvironment, uniqueName, type ServiceProcess, type TestDatabase } from '@flux-capacitor/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TOKEN = 'replica-query-token-0123456789abcdef';
/** runs until cancelled, interrupted or its process dies */
const ENDLESS = 'SELECT count(*) FROM range(100000000000)';

interface Status {
  id: string;
  state: string;
  error?: { code: string; message: string };
}

describe('query gateway replicas: shared query state in Postgres, results in the archive store (real processes)', () => {
  let db: TestDatabase;
  let root: string;
  let env: Record<string, string>;
  const replicas: ServiceProcess[] = [];
  let a: ServiceProcess;
  let b: ServiceProcess;

  /** a replica with a work folder of its own: nothing is shared but Postgres and the archive store */
  async function startReplica(): Promise<ServiceProcess> {
    const replica = await startServiceProcess('query-gateway', { ...env, FLUX_QUERY_WORK_DIR: mkdtempSync(join(root, 'work-')) });
    replicas.push(replica);
    return replica;
  }

  async function api(replica: ServiceProcess, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${replica.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  async function submit(replica: ServiceProcess, sql: string): Promise<string> {
    const res = await api(replica, 'POST', '/v1/queries', { sql });
    expect(res.status).toBe(202);
    return ((await res.json()) as Status).id;
  }

  const status = async (replica: ServiceProcess, id: string) => (await (await api(replica, 'GET', `/v1/queries/${id}`)).json()) as Status;

  async function until(replica: ServiceProcess, id: string, state: string | ((s: string) => boolean), timeout = 30_000): Promise<Status> {
    const wanted = typeof state === 'string' ? (s: string) => s === state : state;
    let last: Status | undefined;
    await vi.waitFor(
      async () => {
        last = await status(replica, id);
        expect(wanted(last.state)).toBe(true);
      },
      { timeout, interval: 100 },
    );
    return last!;
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    root = mkdtempSync(join(tmpdir(), 'flux-gw-replicas-'));
    const bucket = uniqueName('flux-gw-replicas');
    env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `s3://${bucket}/archive`,
      FLUX_API_TOKENS: `${TOKEN}:query`,
      FLUX_QUERY_LIVE: 'false',
      FLUX_QUERY_THREADS: '1',
      FLUX_QUERY_JOB_LEASE_MS: '3000',
      LOG_LEVEL: 'info',
    });
    await createS3Client(loadConfig(env).aws).send(new CreateBucketCommand({ Bucket: bucket }));
    [a, b] = await Promise.all([startReplica(), startReplica()]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(replicas.map((r) => (r.child.exitCode === null && r.child.signalCode === null ? r.stop() : undefined)));
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers on B for a query submitted on A: state, JSON pages across result parts, NDJSON, Parquet and the history', async () => {
    const id = await submit(a, 'SELECT i FROM range(25000) t(i) ORDER BY i');
    await until(b, id, 'succeeded');
    const rows: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await api(b, 'GET', `/v1/queries/${id}/results?limit=7000${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { rowCount: number; rows: { i: number }[]; nextCursor: string | null };
      expect(page.rowCount).toBe(25_000);
      rows.push(...page.rows.map((r) => Number(r.i)));
      cursor = page.nextCursor;
    } while (cursor);
    expect(rows).toEqual(Array.from({ length: 25_000 }, (_, i) => i));
    const ndjson = (await (await api(b, 'GET', `/v1/queries/${id}/results?format=ndjson`)).text()).trim().split('\n');
    expect(ndjson).toHaveLength(25_000);
    expect(JSON.parse(ndjson[24_999])).toEqual({ i: 24_999 });
    const parquet = Buffer.from(await (await api(b, 'GET', `/v1/queries/${id}/results?format=parquet`)).arrayBuffer());
    expect(parquet.subarray(0, 4).toString()).toBe('PAR1');
    const history = (await (await api(b, 'GET', '/v1/queries?limit=100')).json()) as { items: { id: string; state: string; rowCount: number }[] };
    expect(history.items.find((i) => i.id === id)).toMatchObject({ state: 'succeeded', rowCount: 25_000 });
  });

  it('cancels on B a query running on A (A sees the request on its next heartbeat)', async () => {
    const id = await submit(a, ENDLESS);
    await until(b, id, 'running');
    expect((await api(b, 'DELETE', `/v1/queries/${id}`)).status).toBe(200);
    await until(b, id, 'cancelled');
  });

  it('fails the queries of a replica that shuts down with the reason, and serves finished results after a restart', async () => {
    const c = await startReplica();
    const done = await submit(c, 'SELECT 7 AS seven');
    await until(c, done, 'succeeded');
    const running = await submit(c, ENDLESS);
    await until(b, running, 'running');
    expect(await c.stop()).toBe(0);
    const failed = await until(b, running, 'failed', 10_000);
    expect(failed.error).toMatchObject({ code: 'QUERY_REPLICA_STOPPED', message: expect.stringMatching(/shut down/) });

    const restarted = await startReplica();
    const res = await api(restarted, 'GET', `/v1/queries/${done}/results`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ rowCount: 1, rows: [{ seven: 7 }] });
  });

  it('marks failed, with the reason, a query whose replica was killed (kill -9) while it ran', async () => {
    const id = await submit(a, ENDLESS);
    await until(b, id, 'running');
    const exited = new Promise((resolve) => a.child.once('exit', resolve));
    a.child.kill('SIGKILL');
    await exited;
    // No heartbeat for FLUX_QUERY_JOB_LEASE_MS (3 s): B's sweeper fails it.
    const failed = await until(b, id, 'failed', 20_000);
    expect(failed.error).toMatchObject({ code: 'QUERY_REPLICA_LOST', message: expect.stringMatching(/the gateway replica running it stopped/) });
    const history = (await (await api(b, 'GET', '/v1/queries')).json()) as { items: { id: string; state: string }[] };
    expect(history.items.find((i) => i.id === id)).toMatchObject({ state: 'failed' });
  });
});
