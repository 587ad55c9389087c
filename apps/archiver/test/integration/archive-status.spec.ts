import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { Client } from 'pg';
import { createStream, createTestDatabase, putInOrder, startServiceProcess, testEnvironment, uniqueName, type ServiceProcess, type TestDatabase } from '@flux-capacitor/testing';

const ALL = 'archiver-status-all-token-0123456789';
const LIMITED = 'archiver-status-limited-token-0123456789';

interface ShardView {
  shardId: string;
  owner: string | null;
  leaseExpiresAt: string | null;
  checkpointSequence: string | null;
  millisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  statusUpdatedAt: string | null;
  atRisk: boolean;
}

/**
 * Two archiver processes on one database: one archives the stream, the other archives nothing. Both answer the
 * status API for every shard, from what the first writes to Postgres with its lease heartbeats.
 */
describe('archiver status API (processes, local stack)', () => {
  let db: TestDatabase;
  let root: string;
  let pg: Client;
  let worker: ServiceProcess;
  let bystander: ServiceProcess;
  const stream = uniqueName('arch-status');
  const other = uniqueName('arch-other');

  const get = async (service: ServiceProcess, path: string, token = ALL) => {
    const res = await fetch(`${service.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    root = mkdtempSync(join(tmpdir(), 'flux-arch-status-'));
    mkdirSync(join(root, 'archive'));
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const env = testEnvironment({
      DATABASE_URL: db.url,
      FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
      FLUX_API_TOKENS: `${ALL}:query,${LIMITED}:query@${other}`,
      FLUX_BUFFER_INTERVAL_SECONDS: '900',
      FLUX_LEASE_HEARTBEAT_SECONDS: '1',
      FLUX_LEASE_DURATION_SECONDS: '5',
      FLUX_ARCHIVER_TEMP_DIR: join(root, 'tmp'),
    });
    const kinesis = createKinesisClient(loadConfig(env).aws);
    await createStream(kinesis, stream, 2);
    await putInOrder(kinesis, stream, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, data: JSON.stringify({ i }) })));
    kinesis.destroy();
    [worker, bystander] = await Promise.all([startServiceProcess('archiver', { ...env, FLUX_ARCHIVER_STREAMS: stream }), startServiceProcess('archiver', env)]);
  });

  afterAll(async () => {
    await Promise.all([worker?.stop(), bystander?.stop()]);
    await pg?.end();
    await db?.drop();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers on any instance for every shard, with the holder's heartbeat status", async () => {
    // Wait (bounded by the test timeout) until the worker has leased both shards and reported on each.
    let shards: ShardView[] = [];
    for (;;) {
      const res = await get(bystander, `/v1/streams/${stream}/shards`);
      if (res.status === 200) {
        shards = res.body.shards as ShardView[];
        if (shards.length === 2 && shards.every((s) => s.statusUpdatedAt !== null && s.owner !== null)) break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows } = await pg.query(`SELECT DISTINCT owner FROM archiver_shard_lease WHERE stream_name = $1`, [stream]);
    expect(rows).toHaveLength(1);
    const fromBystander = await get(bystander, `/v1/streams/${stream}/shards`);
    expect(fromBystander.body).toMatchObject({ stream, retentionHours: 24 });
    for (const shard of fromBystander.body.shards as ShardView[]) {
      expect(shard).toMatchObject({ owner: rows[0].owner, atRisk: false });
      expect(Date.parse(shard.leaseExpiresAt ?? '')).toBeGreaterThan(0);
      expect(shard.millisBehindLatest).toBeGreaterThanOrEqual(0);
      // 20 records sit in a 900 s buffer: not archived yet, so the oldest of them has an age.
      expect(shard.oldestUnarchivedAgeMs).toBeGreaterThanOrEqual(0);
    }
    // The worker answers the same shards.
    expect(((await get(worker, `/v1/streams/${stream}/shards`)).body.shards as ShardView[]).map((s) => s.shardId)).toEqual(shards.map((s) => s.shardId));

    const list = await get(bystander, '/v1/streams');
    expect(list.body.streams).toContainEqual(expect.objectContaining({ stream, retentionHours: 24, shardCount: 2, atRisk: false }));
  });

  it('flags a shard whose oldest unarchived record is older than half the retention period', async () => {
    await pg.query(
      `INSERT INTO archiver_shard_lease (stream_name, shard_id, millis_behind_latest, oldest_unarchived_age_ms, retention_hours, status_updated_at)
       VALUES ($1, 'shardId-000000000000', 1000, $2, 24, now()), ($1, 'shardId-000000000001', 0, 60000, 24, now())`,
      [other, 13 * 3_600_000],
    );
    const shards = (await get(bystander, `/v1/streams/${other}/shards`)).body.shards as ShardView[];
    expect(shards.map((s) => [s.shardId, s.atRisk, s.owner])).toEqual([
      ['shardId-000000000000', true, null],
      ['shardId-000000000001', false, null],
    ]);
    const summary = ((await get(bystander, '/v1/streams')).body.streams as Record<string, unknown>[]).find((s) => s.stream === other);
    expect(summary).toEqual({ stream: other, retentionHours: 24, shardCount: 2, maxMillisBehindLatest: 1000, oldestUnarchivedAgeMs: 13 * 3_600_000, atRisk: true });
  });

  it('shows a token limited to streams only those, and 403 for the shards of another', async () => {
    const list = await get(bystander, '/v1/streams', LIMITED);
    expect((list.body.streams as { stream: string }[]).map((s) => s.stream)).toEqual([other]);
    const forbidden = await get(bystander, `/v1/streams/${stream}/shards`, LIMITED);
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toMatchObject({ code: 'STREAM_FORBIDDEN', details: { stream } });
    expect((await get(bystander, '/v1/streams', 'not-a-token-0123456789')).status).toBe(401);
  });

  it('answers 404 STREAM_NOT_ARCHIVED for a stream no archiver knows, and 400 naming a bad stream name', async () => {
    const missing = await get(bystander, '/v1/streams/never-archived/shards');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'STREAM_NOT_ARCHIVED', details: { stream: 'never-archived' } });
    const bad = await get(bystander, '/v1/streams/a%20b/shards');
    expect(bad.status).toBe(400);
    expect(String(bad.body.detail)).toMatch(/^stream: must be a Kinesis stream name/);
  });

  it('serves its OpenAPI document at /docs-json with the response schemas', async () => {
    const doc = (await (await fetch(`${bystander.url}/docs-json`)).json()) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/streams', '/v1/streams/{stream}/shards', '/health']));
    expect(doc.paths['/v1/streams/{stream}/shards'].get.responses['200']).toMatchObject({ content: { 'application/json': { schema: { type: 'object' } } } });
  });
});
