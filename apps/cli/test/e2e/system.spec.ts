import { CreateStreamCommand, PutRecordsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { aggregate } from '@flux-capacitor/kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createTestDatabase, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { execFileSync, spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { parseEnvFile } from './dev-env-file';
import { descendants, isAlive } from './process-tree';

/**
 * The whole system with real processes: `fluxcap dev` (emulators, migrations, the four services), a Kinesis stream
 * with two shards, the archiver service writing Parquet to S3, the catalog registering the objects from SQS, and the
 * query gateway answering one SQL table over the archive and the live tail.
 *
 * How records end up "only in Kinesis": once the catalog holds the first batch, the test pauses the archiver service
 * process with SIGSTOP, produces the second batch, queries, and resumes it with SIGCONT. Killing the archiver is not an
 * option: `fluxcap dev` stops everything when one of its services exits. A paused process keeps its leases and reads
 * nothing, so the second batch is exactly the records past each shard's archive checkpoint, which is what the gateway
 * reads live. After SIGCONT the archiver archives the second batch too, and the same query must return every record
 * exactly once again, now all from the archive (no record is lost or doubled as it moves from live to archive).
 *
 * Each step runs on its own (`npx vitest run apps/cli/test/e2e/system.spec.ts -t 'kinesalite gives archived'`): the
 * setup leaves the first batch archived, the archiver paused and the second batch live; only the last two steps
 * change that state, and they run last.
 */

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const FIRST_BATCH = 60;
const SECOND_BATCH = 30;
/** User records inside the one KPL aggregate each batch also carries. */
const KPL_USER_RECORDS = 3;

interface Produced {
  id: string;
  data: Buffer;
  json: boolean;
  partitionKey: string;
  subSequenceNumber: number;
  shardId: string;
  sequenceNumber: string;
}

interface Row {
  shard_id: string;
  sequence_number: string;
  sub_sequence_number: number;
  partition_key: string;
  data: string;
  payload: unknown;
  source: 'archive' | 'live';
}

/** Every fifth record is binary (not UTF-8, not JSON); the others are JSON. Each carries a unique id. */
function makeRecord(batch: string, i: number): { id: string; data: Buffer; json: boolean } {
  const id = `${batch}-${i}`;
  if (i % 5 === 4) return { id, data: Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from(id), Buffer.from([0xc3, 0x28])]), json: false };
  return { id, data: Buffer.from(JSON.stringify({ id, batch, n: i, nested: { ok: i % 2 === 0, tags: ['a', `t${i % 3}`] } })), json: true };
}

/**
 * PutRecords of `count` plain records plus one KPL aggregate holding `KPL_USER_RECORDS` user records (the last one
 * binary). Returns one entry per user record, with the shard and sequence number Kinesis assigned.
 */
async function produce(kinesis: KinesisClient, stream: string, batch: string, count: number): Promise<Produced[]> {
  const plain = Array.from({ length: count }, (_, i) => ({ ...makeRecord(batch, i), partitionKey: `${batch}-key-${i}`, subSequenceNumber: 0 }));
  const users = Array.from({ length: KPL_USER_RECORDS }, (_, i) => {
    const id = `${batch}-kpl-${i}`;
    const last = i === KPL_USER_RECORDS - 1;
    const data = last ? Buffer.from([0x00, 0xff, ...Buffer.from(id)]) : Buffer.from(JSON.stringify({ id, batch, kpl: i }));
    return { id, data, json: !last, partitionKey: `${batch}-kpl-key-${i}`, subSequenceNumber: i };
  });
  const res = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: [
        ...plain.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
        { PartitionKey: `${batch}-kpl`, Data: aggregate(users) },
      ],
    }),
  );
  expect(res.FailedRecordCount ?? 0).toBe(0);
  const results = res.Records ?? [];
  expect(results).toHaveLength(count + 1);
  const at = (i: number) => ({ shardId: results[i].ShardId ?? '', sequenceNumber: results[i].SequenceNumber ?? '' });
  return [...plain.map((r, i) => ({ ...r, ...at(i) })), ...users.map((u) => ({ ...u, ...at(count) }))];
}

/** Files under a folder (recursively), or an empty list when it does not exist. */
function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

// kinesalite is dev's default; kinesis-mock (`--kinesis kinesis-local`) is closer to AWS.
describe.each(['kinesalite', 'kinesis-local'])('the whole system under fluxcap dev --kinesis %s', (emulator) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'flux-system-e2e-'));
  const startedAt = new Date();
  const stream = uniqueName('orders');
  const produced: Produced[] = [];
  let dev: ChildProcessByStdio<null, Readable, Readable>;
  let output = '';
  let env: Record<string, string>;
  let kinesis: KinesisClient;
  let archiverPid: number;
  /** How many records the catalog held when the archiver was paused: the whole first batch. */
  let archivedFirst: number;

  const api = (base: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${env.FLUX_API_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  const query = (sql: string) => api(env.FLUX_QUERY_URL, 'POST', '/v1/query', { sql });
  const archivedRecords = async (): Promise<number> => {
    const res = await api(env.FLUX_CATALOG_URL, 'GET', `/v1/streams/${stream}/partitions`);
    if (res.status === 404) return 0;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partitions: { recordCount: number }[] };
    return body.partitions.reduce((n, p) => n + p.recordCount, 0);
  };
  /** Polls the catalog until it counts exactly `expected` archived records. */
  const waitArchived = (expected: number) =>
    vi.waitFor(async () => expect(await archivedRecords()).toBe(expected), { timeout: 60_000, interval: 250 });
  const selectAll = async (): Promise<Row[]> => {
    const res = await query(
      `SELECT shard_id, sequence_number, sub_sequence_number, partition_key, data, payload, source FROM "${stream}" ORDER BY shard_id, length(sequence_number), sequence_number, sub_sequence_number`,
    );
    const body = (await res.json()) as { rows: Row[]; rowCount: number; truncated: boolean };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.truncated).toBe(false);
    return body.rows;
  };
  /** Every produced record exactly once, byte for byte, at the shard and sequence number Kinesis gave it. */
  const expectExactlyOnce = (rows: Row[], sourceOf: (p: Produced) => 'archive' | 'live') => {
    const byData = new Map<string, Row[]>();
    for (const row of rows) byData.set(row.data, [...(byData.get(row.data) ?? []), row]);
    expect(rows).toHaveLength(produced.length);
    for (const p of produced) {
      const matches = byData.get(p.data.toString('base64')) ?? [];
      expect(matches, `record ${p.id}`).toHaveLength(1);
      expect(matches[0], `record ${p.id}`).toEqual({
        shard_id: p.shardId,
        sequence_number: p.sequenceNumber,
        sub_sequence_number: p.subSequenceNumber,
        partition_key: p.partitionKey,
        data: p.data.toString('base64'),
        payload: p.json ? JSON.parse(p.data.toString('utf8')) : null,
        source: sourceOf(p),
      });
    }
  };

  let database: TestDatabase | undefined;
  beforeAll(async () => {
    // The test stack's Postgres server, as a user's DATABASE_URL would name it, in a database of this run's own (the
    // default `flux` database outlives runs and is shared by every test file that starts dev); the emulators are dev's own.
    database = await createTestDatabase({ migrate: false });
    const databaseUrl = new URL(database.url);
    dev = spawn(process.execPath, [FLUXCAP, 'dev', '--random-ports', '--no-demo', '--kinesis', emulator, '--data-dir', dataDir, '--database', databaseUrl.pathname.slice(1)], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl.toString(),
        FLUX_ARCHIVER_STREAMS: stream,
        FLUX_BUFFER_INTERVAL_SECONDS: '1',
        FLUX_LEASE_HEARTBEAT_SECONDS: '1',
        FLUX_GET_RECORDS_IDLE_MS: '200',
        FLUX_SQS_WAIT_SECONDS: '1',
        FLUX_QUERY_WORK_DIR: join(dataDir, 'query'),
        // Not UTC on purpose: partitions, arrival_time and pruning must not depend on the services' time zone.
        TZ: 'America/New_York',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    dev.stdout.on('data', (d) => (output += d));
    dev.stderr.on('data', (d) => (output += d));
    // dev.env is written before the services start: create the stream then, so the archiver finds it at once (until
    // it does, its /health is down and dev keeps waiting).
    const envFile = join(dataDir, 'dev.env');
    await vi.waitFor(() => dev.exitCode === null && expect(existsSync(envFile)).toBe(true), { timeout: 90_000, interval: 100 });
    expect(existsSync(envFile), output).toBe(true);
    await vi.waitFor(() => expect(readFileSync(envFile, 'utf8')).toMatch(/^export FLUX_REPLAY_URL='[^']+'$/m), { timeout: 5_000, interval: 100 });
    env = parseEnvFile(envFile);
    kinesis = createKinesisClient(loadConfig(env).aws);
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
    await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: stream });
    await vi.waitFor(() => dev.exitCode === null && expect(output).toContain('all services ready'), { timeout: 90_000, interval: 100 });
    expect(output).toContain('all services ready');
    const archiver = descendants(dev.pid as number).filter((pid) => {
      const args = execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
      return args.includes(join('apps', 'archiver', 'src', 'main.ts'));
    });
    expect(archiver).toHaveLength(1);
    archiverPid = archiver[0];

    // The state every step starts from: the first batch archived, the archiver paused, the second batch only in Kinesis.
    produced.push(...(await produce(kinesis, stream, 'first', FIRST_BATCH)));
    // One archive row per user record: the KPL aggregate counts as its user records.
    await waitArchived(produced.length);
    archivedFirst = produced.length;
    process.kill(archiverPid, 'SIGSTOP');
    produced.push(...(await produce(kinesis, stream, 'second', SECOND_BATCH)));
  }, 300_000);

  afterAll(async () => {
    if (archiverPid && isAlive(archiverPid)) process.kill(archiverPid, 'SIGCONT');
    if (dev && dev.exitCode === null) dev.kill('SIGKILL');
    kinesis?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
    await database?.drop();
  });

  it('archives the first batch: the catalog registers objects covering every record', async () => {
    const first = produced.filter((p) => p.id.startsWith('first-'));
    expect(new Set(first.map((p) => p.shardId)).size).toBe(2);
    expect(await archivedRecords()).toBe(first.length);
    // The objects are in dev's S3 bucket, in Hive-style hourly partitions of the stream.
    const res = await api(env.FLUX_CATALOG_URL, 'GET', `/v1/streams/${stream}/partitions`);
    const { partitions } = (await res.json()) as { partitions: { location: string; objectCount: number; startsAt: string }[] };
    expect(partitions.length).toBeGreaterThan(0);
    for (const p of partitions) {
      expect(p.location).toMatch(new RegExp(`^s3://flux-archive/archive/${stream}/dt=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/?$`));
      expect(p.objectCount).toBeGreaterThanOrEqual(1);
      // Partitioned by the UTC hour of arrival, whatever the services' time zone.
      expect(Date.parse(p.startsAt)).toBeGreaterThan(startedAt.getTime() - 3_600_000 - 60_000);
      expect(Date.parse(p.startsAt)).toBeLessThanOrEqual(Date.now());
    }
  }, 90_000);

  it('returns every record exactly once through one query: the first batch from the archive, the second live', async () => {
    const rows = await selectAll();
    expectExactlyOnce(rows, (p) => (p.id.startsWith('first-') ? 'archive' : 'live'));
    expect(rows.filter((r) => r.payload === null)).toHaveLength(produced.filter((p) => !p.json).length);
    expect(rows.filter((r) => r.sub_sequence_number > 0)).toHaveLength(2 * (KPL_USER_RECORDS - 1));
    // The catalog still holds only the first batch: the second really was read from Kinesis.
    expect(await archivedRecords()).toBe(archivedFirst);

    const res = await query(`SELECT source, count(*) AS n FROM "${stream}" WHERE payload->>'batch' = 'second' GROUP BY source`);
    const secondJson = produced.filter((p) => p.id.startsWith('second-') && p.json).length;
    expect(((await res.json()) as { rows: unknown[] }).rows).toEqual([{ source: 'live', n: secondJson }]);
  }, 60_000);

  it('gives archived and live records the same UTC arrival_time and prunes by it', async () => {
    // Bounds a minute around the test: arrival times come from the emulator's clock, with second precision at worst.
    const from = new Date(startedAt.getTime() - 60_000);
    const to = new Date(Date.now() + 60_000);
    const literal = (d: Date) => `TIMESTAMP '${d.toISOString().replace('T', ' ').replace('Z', '')}'`;
    const times = await query(`SELECT source, min(epoch_ms(arrival_time)) AS first, max(epoch_ms(arrival_time)) AS last FROM "${stream}" GROUP BY source`);
    const bySource = ((await times.json()) as { rows: { source: string; first: number; last: number }[] }).rows;
    expect(bySource.map((r) => r.source).sort()).toEqual(['archive', 'live']);
    for (const r of bySource) {
      expect(Number(r.first), r.source).toBeGreaterThanOrEqual(from.getTime());
      expect(Number(r.last), r.source).toBeLessThanOrEqual(to.getTime());
    }
    const counted = async (where: string) => {
      const res = await query(`SELECT source, count(*) AS n FROM "${stream}" WHERE ${where} GROUP BY source ORDER BY source`);
      const body = (await res.json()) as { rows: unknown[]; stats: { progress: { objectsTotal: number } } };
      return { rows: body.rows, objects: body.stats.progress.objectsTotal };
    };
    const second = produced.filter((p) => p.id.startsWith('second-')).length;
    const inside = await counted(`arrival_time BETWEEN ${literal(from)} AND ${literal(to)}`);
    expect(inside.rows).toEqual([
      { source: 'archive', n: produced.length - second },
      { source: 'live', n: second },
    ]);
    expect(inside.objects).toBeGreaterThan(0);
    // Before the test began: no rows, and the catalog pruned every object away.
    expect(await counted(`arrival_time < ${literal(from)}`)).toEqual({ rows: [], objects: 0 });
  }, 60_000);

  it('refuses hostile SQL through the real gateway with 400 and leaves nothing behind', async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'flux-system-hostile-'));
    const extensions = join(homedir(), '.duckdb');
    const extensionsBefore = listFiles(extensions);
    // Folders of idle query instances (kept for the next query over the same objects) may be there already.
    const runsBefore = listFiles(join(dataDir, 'query', 'runs'));
    try {
      const copyTarget = join(scratch, 'copied.csv');
      const attachTarget = join(scratch, 'attached.duckdb');
      const chainTarget = join(scratch, 'chained.csv');
      const hostile: [string, string][] = [
        ['reading /etc/passwd', "SELECT * FROM read_csv('/etc/passwd')"],
        ['ATTACH', `ATTACH '${attachTarget}' AS pwned`],
        ['COPY ... TO', `COPY (SELECT * FROM "${stream}") TO '${copyTarget}'`],
        ['INSTALL', 'INSTALL httpfs'],
        ['SET', "SET enable_external_access = true"],
        ['two statements', `SELECT 1; COPY (SELECT 1) TO '${chainTarget}'`],
      ];
      const codes: Record<string, string[]> = {};
      for (const [what, sql] of hostile) {
        for (const path of ['/v1/query', '/v1/queries']) {
          const res = await api(env.FLUX_QUERY_URL, 'POST', path, { sql });
          const body = (await res.json()) as { code: string; detail: string };
          expect(res.status, `${what} on ${path}: ${JSON.stringify(body)}`).toBe(400);
          expect(body.detail).not.toContain('root:');
          (codes[what] ??= []).push(body.code);
        }
      }
      expect(codes).toEqual(Object.fromEntries(hostile.map(([what]) => [what, ['QUERY_REJECTED', 'QUERY_REJECTED']])));
      expect(listFiles(scratch)).toEqual([]);
      expect(listFiles(extensions)).toEqual(extensionsBefore);
      // No query run folder was left behind in the gateway's scratch folder either, and it still answers.
      expect(listFiles(join(dataDir, 'query', 'runs')).filter((f) => !runsBefore.includes(f))).toEqual([]);
      expect((await query('SELECT 42 AS answer')).status).toBe(200);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 60_000);

  it('once the archiver resumes, the second batch moves to the archive and still every record appears once', async () => {
    process.kill(archiverPid, 'SIGCONT');
    await waitArchived(produced.length);
    expectExactlyOnce(await selectAll(), () => 'archive');
  }, 90_000);

  it('stops on Ctrl-C with exit code 0 and leaves no process behind', async () => {
    const tree = descendants(dev.pid as number);
    expect(tree).toContain(archiverPid);
    dev.kill('SIGINT');
    await vi.waitFor(() => expect(dev.exitCode).not.toBeNull(), { timeout: 60_000, interval: 100 });
    expect(dev.exitCode, output.slice(-4000)).toBe(0);
    await vi.waitFor(() => expect(tree.filter(isAlive)).toEqual([]), { timeout: 15_000, interval: 100 });
  }, 90_000);
});
