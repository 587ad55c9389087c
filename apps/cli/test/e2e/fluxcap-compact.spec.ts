import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTestDatabase, registerArchiveObjects, testEnvironment, uniqueName, writeSyntheticArchive, type TestDatabase } from '@flux-capacitor/testing';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');
const SHARDS = 4;
const PER_SHARD_HOUR = 25_000;
const HOURS = 2;
const TOTAL = SHARDS * PER_SHARD_HOUR * HOURS;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fluxcap catalog compact', () => {
  let db: TestDatabase;
  let dir: string;
  let archiveDir: string;
  let tempDir: string;
  let env: Record<string, string>;
  const stream = uniqueName('compact');

  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'flux-cli-compact-'));
    archiveDir = join(dir, 'archive');
    tempDir = join(dir, 'compaction');
    mkdirSync(tempDir);
    env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${archiveDir}`, FLUX_CATALOG_COMPACT_TEMP_DIR: tempDir });
    // Two closed hours of 4 shards, each shard-hour in two objects, as an archiver with one object per shard writes.
    const objects = await writeSyntheticArchive({
      directory: archiveDir,
      stream,
      shards: SHARDS,
      recordsPerShardHour: PER_SHARD_HOUR,
      hours: HOURS,
      startMs: Date.UTC(2026, 0, 1),
      objectsPerShardHour: 2,
      layout: 2,
      fields: [['customer'], ['amount']],
      partitionKeys: 500,
    });
    expect(objects.length).toBe(SHARDS * HOURS * 2);
    await registerArchiveObjects(db.url, objects);
  }, 120_000);
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  const fluxcap = (args: string[], extra: Record<string, string> = {}) =>
    spawnSync(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { ...process.env, ...env, ...extra }, encoding: 'utf8', timeout: 300_000 });

  /** What readers see: the live objects, read whole. Every record exactly once, or the test fails. */
  async function checkEveryRecordOnce(): Promise<{ live: { uri: string; compacted_from: number | null }[] }> {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      const { rows: live } = await pg.query<{ uri: string; record_count: string; compacted_from: number | null }>(
        `SELECT uri, record_count, compacted_from FROM catalog_object WHERE stream = $1 AND retired_at IS NULL ORDER BY uri`,
        [stream],
      );
      expect(live.reduce((n, o) => n + Number(o.record_count), 0)).toBe(TOTAL);
      const paths = live.map((o) => o.uri.replace(/^file:\/\//, ''));
      for (const p of paths) expect(existsSync(p), p).toBe(true);
      const c = await (await DuckDBInstance.create(':memory:', { threads: '1' })).connect();
      const counted = await c.runAndReadAll(
        `SELECT count(*), count(DISTINCT (shard_id, sequence_number, sub_sequence_number)) FROM read_parquet([${paths.map((p) => `'${p}'`).join(', ')}], union_by_name = true)`,
      );
      c.closeSync();
      expect(counted.getRows()[0].map(Number)).toEqual([TOTAL, TOTAL]);
      return { live };
    } finally {
      await pg.end();
    }
  }

  it('plans the closed hours without changing anything (--dry-run)', async () => {
    const run = fluxcap(['catalog', 'compact', '--stream', stream, '--dry-run', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.plan.map((g: { dt: string; hour: number; objects: number }) => [g.dt, g.hour, g.objects])).toEqual([
      ['2026-01-01', 0, SHARDS * 2],
      ['2026-01-01', 1, SHARDS * 2],
    ]);
    expect((await checkEveryRecordOnce()).live.length).toBe(SHARDS * HOURS * 2);
  });

  it('loses and repeats no record when killed (kill -9) at any point of a compaction, and finishes on the next run', async () => {
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const outputBeingWritten = () => readdirSync(tempDir).some((d) => existsSync(join(tempDir, d, 'out.parquet')));
    // an output of the running compaction catalogued (as a tombstone) and not swapped in yet
    let spawnedAt = new Date();
    const reserved = async () =>
      Number(
        (await pg.query(`SELECT count(*) FROM catalog_object WHERE stream = $1 AND retired_at IS NOT NULL AND replaced_by IS NULL AND created_at >= $2`, [stream, spawnedAt]))
          .rows[0].count,
      ) > 0;
    // Killed at different points: as a compaction starts, while it writes its output, later into it, and between the
    // output's reservation in the catalog and its swap (its upload).
    const killPoints: { name: string; reached: () => boolean | Promise<boolean>; thenMs: number }[] = [
      { name: 'compaction started', reached: () => readdirSync(tempDir).length > 0, thenMs: 0 },
      { name: 'output being written', reached: outputBeingWritten, thenMs: 0 },
      { name: 'output written, some time later', reached: outputBeingWritten, thenMs: 300 },
      { name: 'output reserved, not swapped in', reached: reserved, thenMs: 0 },
    ];
    try {
      for (const point of killPoints) {
        spawnedAt = new Date();
        const child = spawn(process.execPath, [FLUXCAP, 'catalog', 'compact', '--stream', stream], { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        const started = Date.now();
        while (!(await point.reached()) && child.exitCode === null && Date.now() - started < 120_000) await sleep(5);
        await sleep(point.thenMs);
        child.kill('SIGKILL');
        await exited;
        // whatever the point, readers see every record exactly once
        await checkEveryRecordOnce();
        rmSync(tempDir, { recursive: true, force: true });
        mkdirSync(tempDir);
      }
    } finally {
      await pg.end();
    }

    const run = fluxcap(['catalog', 'compact', '--stream', stream, '--json']);
    expect(run.status, run.stderr).toBe(0);
    const { live } = await checkEveryRecordOnce();
    // one object per hour, each a compaction's output
    expect(live.length).toBe(HOURS);
    expect(live.every((o) => o.compacted_from !== null)).toBe(true);
    const again = JSON.parse(fluxcap(['catalog', 'compact', '--stream', stream, '--json']).stdout);
    expect(again.report).toMatchObject({ written: 0, replaced: 0 });
  }, 600_000);

  it('refuses to compact where Drill reads the archive', () => {
    const run = fluxcap(['catalog', 'compact', '--stream', stream], { FLUX_DRILL_URL: 'http://127.0.0.1:8047' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('compaction is off');
  });
});
