import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKinesisClient } from '@flux-capacitor/aws';
import { createArchiveStore } from '@flux-capacitor/archive';
import { loadConfig } from '@flux-capacitor/config';
import { createDataSource } from '@flux-capacitor/persistence';
import { createStream, createTestDatabase, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import type { DataSource } from 'typeorm';
import { putRecords, readArchive, recordId, taggedRecord } from '../support/kinesis-fixtures';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const SHARDS = 8;
const LEASE_SECONDS = 6;
const LEASE_MS = LEASE_SECONDS * 1000;

interface Instance {
  id: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** When it logged `archiver starting` (start-up of the process itself excluded). */
  startedAt: number;
}

/**
 * Three archiver instances as real processes on one stream of eight shards, records produced throughout: each new
 * instance gets its fair share of live leases within two lease periods, a graceful stop (SIGTERM) hands its shards
 * over at once, a crash (kill -9) after its leases expire, and every record is archived exactly once.
 */
describe('archiver lease rebalancing', () => {
  let db: TestDatabase;
  let work: string;
  let log: WriteStream;
  let dataSource: DataSource;
  let passed = false;
  const instances: Instance[] = [];
  beforeAll(async () => {
    db = await createTestDatabase();
    work = mkdtempSync(join(tmpdir(), 'flux-rebalance-'));
    log = createWriteStream(join(work, 'archiver.log'));
    dataSource = await createDataSource(db.url).initialize();
  });
  afterAll(async () => {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGKILL');
    await dataSource?.destroy();
    await db.drop();
    log.end();
    if (passed) rmSync(work, { recursive: true, force: true });
    else console.log(`[rebalance test] archiver log kept in ${join(work, 'archiver.log')}`);
  });

  it(
    `gives each of three instances its fair share of ${SHARDS} shards within two lease periods, hands shards over on SIGTERM at once and on kill -9 after expiry, archiving every record once`,
    async () => {
      const stream = uniqueName('rebalance');
      const env = testEnvironment({
        DATABASE_URL: db.url,
        FLUX_ARCHIVE_URI: `file://${join(work, 'archive')}`,
        FLUX_BUFFER_SIZE_MIB: '1',
        FLUX_BUFFER_INTERVAL_SECONDS: '2',
        FLUX_LEASE_DURATION_SECONDS: String(LEASE_SECONDS),
        FLUX_LEASE_HEARTBEAT_SECONDS: '1',
        FLUX_GET_RECORDS_IDLE_MS: '200',
        FLUX_ARCHIVER_TEMP_DIR: join(work, 'tmp'),
        LOG_LEVEL: 'info',
      });
      const config = loadConfig(env);
      const kinesis = createKinesisClient(config.aws);
      await createStream(kinesis, stream, SHARDS);

      // Records keep arriving on every shard (97 partition keys) during the whole run.
      let produced = 0;
      let producing = true;
      const producer = (async () => {
        while (producing) {
          const batch = Array.from({ length: 50 }, () => taggedRecord(produced++));
          await putRecords(kinesis, stream, batch);
          await new Promise((r) => setTimeout(r, 100));
        }
      })();

      /** Live leases per owner, by the database clock. */
      const held = async (): Promise<Record<string, number>> => {
        const rows: { owner: string; n: number }[] = await dataSource.query(
          `SELECT owner, count(*)::int AS n FROM archiver_shard_lease
            WHERE stream_name = $1 AND owner IS NOT NULL AND lease_expires_at > now() AND finished_at IS NULL GROUP BY owner`,
          [stream],
        );
        return Object.fromEntries(rows.map((r) => [r.owner, r.n]));
      };
      /** Polls until `ok(held)` holds; returns the milliseconds it took from `since`, or fails after `timeoutMs`. */
      const waitFor = async (what: string, ok: (h: Record<string, number>) => boolean, since: number, timeoutMs = 60_000): Promise<number> => {
        for (;;) {
          const h = await held();
          if (ok(h)) return Date.now() - since;
          if (Date.now() - since > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms (leases held: ${JSON.stringify(h)})`);
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const balanced = (owners: string[]) => (h: Record<string, number>) =>
        owners.every((o) => (h[o] ?? 0) >= Math.floor(SHARDS / owners.length) && (h[o] ?? 0) <= Math.ceil(SHARDS / owners.length)) &&
        Object.keys(h).every((o) => owners.includes(o)) &&
        owners.reduce((n, o) => n + (h[o] ?? 0), 0) === SHARDS;

      const start = async (id: string): Promise<Instance> => {
        const child = spawn(process.execPath, [FLUXCAP, 'archive', '--stream', stream], {
          cwd: ROOT,
          env: { ...process.env, ...env, FLUX_ARCHIVER_WORKER_ID: id },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.pipe(log, { end: false });
        child.stderr!.pipe(log, { end: false });
        const exited = new Promise((r) => child.once('exit', r));
        const starting = new Promise<void>((r) => child.stderr!.on('data', (d: Buffer) => d.includes('archiver starting') && r()));
        await Promise.race([starting, exited.then(() => Promise.reject(new Error(`${id} exited at start`)))]);
        const instance = { id, child, exited, startedAt: Date.now() };
        instances.push(instance);
        return instance;
      };
      const alive = (i: Instance) => expect(i.child.exitCode, `${i.id} must not exit by itself`).toBeNull();
      const timings: string[] = [];

      // One instance takes every shard.
      const a = await start('rb-a');
      await waitFor('a holds every shard', (h) => h['rb-a'] === SHARDS, a.startedAt);

      // A second and a third instance each reach their fair share of live leases within two lease periods.
      const b = await start('rb-b');
      const bShare = await waitFor('a and b balanced', balanced(['rb-a', 'rb-b']), b.startedAt, 4 * LEASE_MS);
      timings.push(`b share ${bShare} ms`);
      expect(bShare, 'b reaches its fair share within two lease periods').toBeLessThanOrEqual(2 * LEASE_MS);
      const c = await start('rb-c');
      const cShare = await waitFor('a, b and c balanced', balanced(['rb-a', 'rb-b', 'rb-c']), c.startedAt, 4 * LEASE_MS);
      timings.push(`c share ${cShare} ms`);
      expect(cShare, 'c reaches its fair share within two lease periods').toBeLessThanOrEqual(2 * LEASE_MS);
      // Balanced means balanced: nothing moves for a while (no leases going back and forth).
      const counters = async () => (await dataSource.query(`SELECT sum(lease_counter)::text AS n FROM archiver_shard_lease WHERE stream_name = $1`, [stream]))[0].n as string;
      const before = await counters();
      await new Promise((r) => setTimeout(r, 3_000));
      expect(await counters(), 'no lease changes hands once balanced').toBe(before);
      [a, b, c].forEach(alive);

      // A graceful stop writes b's rows, commits them and releases its leases: a and c take them at once, long
      // before the leases would have expired.
      b.child.kill('SIGTERM');
      await b.exited;
      expect(b.child.exitCode, 'b stops cleanly').toBe(0);
      const bExit = Date.now();
      const handover = await waitFor('a and c take b shards', balanced(['rb-a', 'rb-c']), bExit, 4 * LEASE_MS);
      timings.push(`graceful hand-over ${handover} ms`);
      expect(handover, 'graceful hand-over well before lease expiry').toBeLessThan(LEASE_MS / 2);

      // A crash: c's shards move to a once their leases expire (not before: nobody takes a live lease).
      c.child.kill('SIGKILL');
      await c.exited;
      const cKill = Date.now();
      const takeover = await waitFor('a takes c shards', (h) => h['rb-a'] === SHARDS, cKill, 4 * LEASE_MS);
      timings.push(`crash take-over ${takeover} ms`);
      expect(takeover, 'a crashed instance hands over only after its leases expire').toBeGreaterThan(LEASE_MS / 2);
      expect(takeover).toBeLessThanOrEqual(2 * LEASE_MS);

      // A new instance joins while a holds everything, then a crashes in the middle of the rebalancing: the
      // newcomer ends with every shard.
      const d = await start('rb-d');
      const dShare = await waitFor('a and d balanced', balanced(['rb-a', 'rb-d']), d.startedAt, 4 * LEASE_MS);
      timings.push(`d share ${dShare} ms`);
      expect(dShare, 'd reaches its fair share within two lease periods').toBeLessThanOrEqual(2 * LEASE_MS);
      const e = await start('rb-e');
      await new Promise((r) => setTimeout(r, 1_500));
      a.child.kill('SIGKILL');
      await a.exited;
      await waitFor('d and e balanced after a crashed', balanced(['rb-d', 'rb-e']), Date.now(), 6 * LEASE_MS);
      [d, e].forEach(alive);

      // Stop producing, stop gracefully, drain what is left the way cron would.
      producing = false;
      await producer;
      for (const i of [d, e]) i.child.kill('SIGTERM');
      await Promise.all([d.exited, e.exited]);
      expect([d.child.exitCode, e.child.exitCode]).toEqual([0, 0]);
      // a's leases (killed mid-run) must expire before the drain can take them.
      await new Promise((r) => setTimeout(r, LEASE_MS + 500));
      const final = spawnSync(process.execPath, [FLUXCAP, 'archive', '--stream', stream, '--once', '--json'], {
        cwd: ROOT,
        env: { ...process.env, ...env, FLUX_ARCHIVER_WORKER_ID: 'rb-final' },
        encoding: 'utf8',
        timeout: 300_000,
      });
      log.write(final.stderr);
      expect(final.status, final.stderr.slice(-2000)).toBe(0);
      expect(JSON.parse(final.stdout).skipped).toEqual([]);

      // Every produced record exactly once, each (shard, sequence number) once.
      const objects = await readArchive(createArchiveStore(config.archive), stream);
      const seen = new Map<number, number>();
      const positions = new Set<string>();
      let rows = 0;
      for (const o of objects) {
        for (const row of o.rows) {
          rows++;
          const id = recordId(row.data);
          seen.set(id, (seen.get(id) ?? 0) + 1);
          positions.add(`${row.shardId}/${row.sequenceNumber}/${row.subSequenceNumber}`);
        }
      }
      const missing = Array.from({ length: produced }, (_, id) => id).filter((id) => !seen.has(id));
      const duplicated = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
      expect(missing.slice(0, 20), `${missing.length} records lost`).toEqual([]);
      expect(duplicated.slice(0, 20), `${duplicated.length} records archived twice`).toEqual([]);
      expect(positions.size).toBe(rows);
      expect(rows).toBe(produced);
      const intents = await dataSource.query('SELECT count(*)::int AS n FROM archiver_intent');
      expect(intents[0].n).toBe(0);
      console.log(`[rebalance test] ${produced} records, ${objects.length} objects; ${timings.join(', ')}`);
      kinesis.destroy();
      passed = true;
    },
    600_000,
  );
});
