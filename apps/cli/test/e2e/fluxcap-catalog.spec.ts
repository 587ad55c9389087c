import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { createStream, createTestDatabase, putInOrder, testEnvironment, uniqueName, type TestDatabase } from '@flux-capacitor/testing';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../../../..');
const FLUXCAP = join(ROOT, 'apps/cli/bin/fluxcap.js');

describe('fluxcap catalog', () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'flux-cli-catalog-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  const fluxcap = (env: Record<string, string>, args: string[]) =>
    spawnSync(process.execPath, [FLUXCAP, ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });

  it('rebuilds the catalog of an archived stream from the archive alone, idempotently, and prints Hive DDL', async () => {
    const env = testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${dir}`, FLUX_BUFFER_INTERVAL_SECONDS: '1' });
    const kinesis = createKinesisClient(loadConfig(env).aws);
    const stream = await createStream(kinesis, uniqueName('cat'), 2);
    await putInOrder(kinesis, stream, Array.from({ length: 60 }, (_, i) => ({ key: `k${i}`, data: JSON.stringify({ order: i, total: i * 1.5, ok: i % 2 === 0 }) })));
    kinesis.destroy();

    const archived = fluxcap(env, ['archive', '--stream', stream, '--once', '--json']);
    expect(archived.status).toBe(0);
    // the archive exists; the catalog is empty (no catalog service ran)
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    try {
      await pg.query(`DELETE FROM catalog_stream WHERE name = $1`, [stream]);

      const run = fluxcap(env, ['catalog', 'rebuild', '--stream', stream, '--json']);
      expect(run.stderr).not.toMatch(/"level":"error"/);
      expect(run.status).toBe(0);
      const report = JSON.parse(run.stdout);
      expect(report).toMatchObject({ stream, removed: 0, skipped: 0, schemaVersion: 1 });
      // one object per shard (layout 1, or layout 2 per shard) or one object holding both shards (layout 2)
      expect(report.listed).toBeGreaterThanOrEqual(1);
      expect(report.added).toBe(report.listed);

      const { rows } = await pg.query(
        `SELECT (SELECT sum(record_count)::int FROM catalog_object WHERE stream = $1) AS records,
                (SELECT count(DISTINCT shard_id)::int FROM catalog_object_shard WHERE stream = $1) AS shards`,
        [stream],
      );
      expect(rows[0]).toEqual({ records: 60, shards: 2 });

      const streams = JSON.parse(fluxcap(env, ['catalog', 'streams', '--json']).stdout);
      expect(streams.streams).toEqual([expect.objectContaining({ name: stream, format: 'json', recordCount: 60, schemaVersion: 1 })]);

      const again = JSON.parse(fluxcap(env, ['catalog', 'rebuild', '--stream', stream, '--json']).stdout);
      expect(again).toMatchObject({ listed: report.listed, added: 0, kept: report.listed, removed: 0 });

      const ddl = fluxcap(env, ['catalog', 'ddl', '--stream', stream]);
      expect(ddl.status).toBe(0);
      expect(ddl.stdout).toContain("STORED BY 'com.amazon.emr.kinesis.hive.KinesisStorageHandler'");
      expect(ddl.stdout).toContain(`TBLPROPERTIES ("kinesis.stream.name" = "${stream}");`);
      expect(ddl.stdout).toContain('`total` DOUBLE');
      const archiveDdl = fluxcap(env, ['catalog', 'ddl', '--stream', stream, '--archive']);
      expect(archiveDdl.stdout).toContain(`LOCATION 'file://${dir}/${stream}/';`);
    } finally {
      await pg.end();
    }
  });

  it('refuses rebuild without --stream', () => {
    const run = fluxcap(testEnvironment({ DATABASE_URL: db.url, FLUX_ARCHIVE_URI: `file://${dir}` }), ['catalog', 'rebuild']);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("required option '--stream <name>' not specified");
  });
});
