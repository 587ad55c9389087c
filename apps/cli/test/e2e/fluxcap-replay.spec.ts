import { CreateStreamCommand, GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, waitUntilStreamExists, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { freePort } from '@flux-capacitor/local-stack';
import {
  createTestDatabase,
  registerArchiveObjects,
  startServiceProcess,
  testEnvironment,
  uniqueName,
  writeSyntheticArchive,
  type ServiceProcess,
  type TestDatabase,
} from '@flux-capacitor/testing';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * `fluxcap replay` as a user runs it: the real CLI process against a real replay coordinator process, which plans
 * from a catalogued archive on disk and puts the records into a kinesalite stream.
 */

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const TOKEN = 'cli-replay-token-0123456789abcdef';
/** 2 shards x 2 hours x 25 records. */
const ARCHIVED = 100;
const CLI_TIMEOUT_MS = 45_000;

let db: TestDatabase;
let root: string;
let env: Record<string, string>;
let coordinator: ServiceProcess;
let kinesis: KinesisClient;
let source: string;
let target: string;

interface View {
  id: string;
  state: string;
  source: string;
  target: string;
  progress: { selected: number; put: number };
  plan: { records: number; perShard: Record<string, number> } | null;
}

function fluxcap(extraEnv: Record<string, string>, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [FLUXCAP, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', FLUX_REPLAY_URL: coordinator?.url ?? '', FLUX_API_TOKEN: TOKEN, ...extraEnv },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A CLI that hangs must not outlive the test: kill it and show what the coordinator logged meanwhile.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      stderr += `\n[killed after ${CLI_TIMEOUT_MS} ms]\ncoordinator logs:\n${coordinator?.logs().split('\n').slice(-40).join('\n')}`;
    }, CLI_TIMEOUT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      done({ status, stdout, stderr });
    });
  });
}

/** Every record in the stream, read from the start of each shard. */
async function readAll(stream: string): Promise<{ partitionKey: string; data: Buffer }[]> {
  const records: { partitionKey: string; data: Buffer }[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
  for (const shard of Shards) {
    let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      for (const r of page.Records ?? []) records.push({ partitionKey: r.PartitionKey ?? '', data: Buffer.from(r.Data ?? []) });
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'flux-cli-replay-'));
  db = await createTestDatabase();
  source = uniqueName('orders');
  target = uniqueName('restore');
  const objects = await writeSyntheticArchive({ directory: join(root, 'archive'), stream: source, shards: 2, recordsPerShardHour: 25, hours: 2, startMs: Date.UTC(2026, 0, 1) });
  await registerArchiveObjects(db.url, objects);
  env = testEnvironment({
    DATABASE_URL: db.url,
    FLUX_ARCHIVE_URI: `file://${join(root, 'archive')}`,
    FLUX_API_TOKENS: `${TOKEN}:replay`,
    FLUX_REPLAY_WORK_DIR: join(root, 'work'),
    FLUX_REPLAY_ALLOWED_TARGETS: target,
    FLUX_REPLAY_SHARD_RECORDS_PER_SECOND: '100000',
    FLUX_REPLAY_POLL_MS: '200',
  });
  kinesis = createKinesisClient(loadConfig(env).aws);
  // Only the target is a Kinesis stream: the source lives in the archive alone (its synthetic sequence numbers
  // could not be read past in a real stream), so the plan has no live tail to add.
  await kinesis.send(new CreateStreamCommand({ StreamName: target, ShardCount: 1 }));
  await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: target });
  coordinator = await startServiceProcess('replay-coordinator', env);
});

afterAll(async () => {
  await coordinator?.stop();
  kinesis?.destroy();
  await db?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe('fluxcap replay', () => {
  it('plans a dry run and prints the plan as one JSON object, putting nothing', async () => {
    const run = await fluxcap({}, ['replay', 'start', '--source', source, '--target', target, '--dry-run', '--json']);
    expect(run.stderr).not.toMatch(/^fluxcap:|killed after/m);
    expect(run.status).toBe(0);
    const view = JSON.parse(run.stdout) as View;
    expect(view).toMatchObject({ state: 'planned', source, target });
    expect(view.plan?.records).toBe(ARCHIVED);
    expect(Object.values(view.plan?.perShard ?? {}).reduce((a, b) => a + b, 0)).toBe(ARCHIVED);
    expect(await readAll(target)).toHaveLength(0);
  });

  it('prints the dry-run plan for a reader: counts and one bar per shard', async () => {
    const run = await fluxcap({}, ['replay', 'start', '--source', source, '--target', target, '--dry-run']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/records\s+100 /);
    expect(run.stdout).toMatch(/shardId-000000000000\s+█+\s+50/);
    expect(run.stdout).toMatch(/shardId-000000000001\s+█+\s+50/);
  });

  it('--wait puts every archived record into the target and exits 0 once completed; status, list and audit show it', async () => {
    const run = await fluxcap({}, ['replay', 'start', '--source', source, '--target', target, '--raw', '--wait', '--json']);
    expect(run.stderr).not.toMatch(/^fluxcap:/m);
    expect(run.status).toBe(0);
    const view = JSON.parse(run.stdout) as View;
    expect(view).toMatchObject({ state: 'completed', progress: { selected: ARCHIVED, put: ARCHIVED } });
    // --raw puts each archived record as it was: its own partition key (pk-0..pk-49 on each of the 2 shards).
    const expectedKeys = [...Array.from({ length: 50 }, (_, i) => `pk-${i}`), ...Array.from({ length: 50 }, (_, i) => `pk-${i}`)].sort();
    expect((await readAll(target)).map((r) => r.partitionKey).sort()).toEqual(expectedKeys);
    // Without a TTY the wait reports progress as lines on stderr, never on stdout.
    expect(run.stderr).toMatch(new RegExp(`replay ${view.id} completed: 100 / 100 put`));

    const status = await fluxcap({}, ['replay', 'status', view.id]);
    expect(status.status).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`^replay ${view.id} completed: ${source} → ${target}`));

    const list = await fluxcap({}, ['replay', 'list', '--state', 'completed', '--json']);
    expect((JSON.parse(list.stdout) as { items: View[] }).items.map((v) => v.id)).toContain(view.id);

    const audit = await fluxcap({}, ['replay', 'audit', view.id, '--json']);
    expect(audit.status).toBe(0);
    expect((JSON.parse(audit.stdout) as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });

  it('Ctrl-C stops waiting only: the replay runs on, and cancel stops it', async () => {
    const child = spawn(process.execPath, [FLUXCAP, 'replay', 'start', '--source', source, '--target', target, '--rate', '2', '--wait'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', FLUX_REPLAY_URL: coordinator.url, FLUX_API_TOKEN: TOKEN },
    });
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('close', done));
    const running = new Promise<string>((found) =>
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /^replay (\S+) running:/m.exec(stderr);
        if (m) found(m[1]);
      }),
    );
    const id = await Promise.race([running, exited.then(() => Promise.reject(new Error(`fluxcap exited before the replay ran:\n${stderr}`)))]);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`fluxcap: stopped waiting; replay ${id} continues (running).`);
    expect(stderr).toContain(`cancel it with: fluxcap replay cancel ${id}`);

    const status = await fluxcap({}, ['replay', 'status', id, '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ id, state: 'running' });
    const cancel = await fluxcap({}, ['replay', 'cancel', id, '--json']);
    expect(cancel.status).toBe(0);
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id, state: 'cancelled' });
  });

  it('a target the coordinator refuses ends as one line with its status and reason, exit non-zero', async () => {
    const run = await fluxcap({}, ['replay', 'start', '--source', source, '--target', 'not-allowed-here']);
    expect(run.status).not.toBe(0);
    // The reason is the problem's `detail`, not its JSON body.
    expect(run.stderr.trim()).toMatch(/^fluxcap: replay coordinator: HTTP 400: (replays may not write to|target stream) not-allowed-here\b[^{]*$/);
  });

  it('a wrong token is refused with HTTP 401', async () => {
    const run = await fluxcap({ FLUX_API_TOKEN: 'wrong-token-0123456789abcdef' }, ['replay', 'list']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toMatch(/^fluxcap: replay coordinator: HTTP 401: /);
  });

  it('pausing a completed replay is refused with HTTP 409', async () => {
    const started = await fluxcap({}, ['replay', 'start', '--source', source, '--target', target, '--wait', '--json']);
    const done = JSON.parse(started.stdout) as View;
    expect(done.state).toBe('completed');
    const run = await fluxcap({}, ['replay', 'pause', done.id]);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toBe('fluxcap: replay coordinator: HTTP 409: cannot pause a replay that is completed');
  });

  it('says where the coordinator was expected when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = await fluxcap({ FLUX_REPLAY_URL: url }, ['replay', 'list']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toBe(`fluxcap: replay coordinator unreachable at ${url}: ECONNREFUSED`);
  });

  it('without FLUX_REPLAY_URL fails with one line saying to set it', async () => {
    const run = await fluxcap({ FLUX_REPLAY_URL: '' }, ['replay', 'status', 'any']);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim()).toBe('fluxcap: FLUX_REPLAY_URL is not set: point it at the replay coordinator (e.g. source .flux/dev.env)');
  });
});
