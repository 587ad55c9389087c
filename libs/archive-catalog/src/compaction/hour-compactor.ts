import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Logger } from '@nestjs/common';
import { archiveFieldColumns, compactedFolderKey, compactedObjectKey, writeArchiveFile, type ArchiveStore } from '@flux-capacitor/archive';
import type { CompactionConfig } from '@flux-capacitor/config';
import { ARCHIVE_COLUMNS, ARCHIVE_RECORD_SQL, type ArchiveObjectWritten } from '@flux-capacitor/contracts';
import type { CatalogReader } from '../catalog-reader';
import type { CompactionCandidate } from '../catalog.types';
import { shardRangesIn } from '../ingest/archive-object-inspector';
import type { CatalogWriter } from '../catalog-writer';

export interface HourCompactorOptions {
  reader: CatalogReader;
  writer: CatalogWriter;
  store: ArchiveStore;
  config: Omit<CompactionConfig, 'enabled' | 'intervalMs'>;
  /** DuckDB threads of a compaction (default 2) */
  threads?: number;
  now?: () => Date;
}

export interface CompactionReport {
  stream: string;
  /** hours that got at least one compacted object */
  hours: number;
  /** objects retired (replaced) */
  replaced: number;
  /** compacted objects written and catalogued */
  written: number;
  records: number;
  /** records held twice by the replaced objects (overlapping ranges), written once */
  duplicatesDropped: number;
  bytesBefore: number;
  bytesAfter: number;
  /** hours another compaction replaced first: their outputs were deleted */
  conflicts: number;
  /** hours whose compaction failed (logged; the next pass retries them) */
  failed: number;
}

/** The prefix of a compaction's object ids (`part-compacted-<n>-<random>.parquet`). */
export const COMPACTED_ID_PREFIX = 'compacted-';

/** An hour a pass rewrites: every live object it holds, in groups of at most `maxInputBytes`, one output each. */
export interface HourPlan {
  dt: string;
  hour: number;
  groups: CompactionCandidate[][];
}

export interface HourOutcome {
  /** the outputs' URIs */
  outputs: string[];
  records: number;
  /** records held twice by one group's inputs (overlapping ranges), written once */
  duplicatesDropped: number;
  bytes: number;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The columns of the table writeArchiveFile reads: every record's bytes in `data` (layout 2's data_json folded in). */
const TABLE_COLUMNS = ARCHIVE_COLUMNS.filter((c) => c.name !== 'data_json');

/**
 * Compaction of closed hours (docs/catalog.md "Compaction of closed hours"). In append order, every row group of an
 * hour's objects holds every partition key, so a lookup by key reads them all; rewritten sorted by partition key, a
 * key sits in one row group per object. Done here, after the hour closed, rather than by the archiver: sorting on the
 * drain path costs it a fifth more CPU (docs/archiver.md "Row order").
 *
 * An hour is closed once `settleMs` have passed since it ended. Its live layout-2 objects are rewritten into a
 * folder of their own, in groups of at most `maxInputBytes` of stored bytes, unless the hour holds one compaction's
 * outputs only. The outputs become live, the inputs retired and the partition's location moves to the folder in one
 * catalog transaction (CatalogWriter.replaceObjects): a query lists either the inputs or the outputs, and one that
 * listed the inputs before the swap still reads them (their files are deleted `graceMs` later). A late object makes
 * its hour a candidate again.
 */
export class HourCompactor {
  private readonly logger = new Logger(HourCompactor.name);
  private readonly now: () => Date;

  constructor(private readonly o: HourCompactorOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /**
   * The hours a pass would rewrite (oldest first), each with every live object it holds, grouped in arrival order up
   * to `maxInputBytes` per output. An hour is rewritten whole unless it holds one compaction's outputs only: its outputs
   * share one folder, which the partition's location then names, so Hive and Glue see the whole hour there.
   */
  async plan(stream: string): Promise<HourPlan[]> {
    const closedBefore = new Date(this.now().getTime() - this.o.config.settleMs);
    const byHour = new Map<string, CompactionCandidate[]>();
    for (const c of await this.o.reader.compactionCandidates(stream, closedBefore)) {
      const h = `${c.dt}/${c.hour}`;
      byHour.set(h, [...(byHour.get(h) ?? []), c]);
    }
    const plans: HourPlan[] = [];
    for (const objects of byHour.values()) {
      // Done: the outputs of one compaction (one folder), and nothing archived since.
      if (objects.every((o) => o.compactedFrom !== null) && new Set(objects.map((o) => o.uri.replace(/\/[^/]+$/, ''))).size === 1) continue;
      const groups: CompactionCandidate[][] = [[]];
      let bytes = 0;
      for (const c of objects) {
        if (groups[groups.length - 1].length > 0 && bytes + c.bytes > this.o.config.maxInputBytes) {
          groups.push([]);
          bytes = 0;
        }
        groups[groups.length - 1].push(c);
        bytes += c.bytes;
      }
      plans.push({ dt: objects[0].dt, hour: objects[0].hour, groups });
    }
    return plans;
  }

  /** One pass over a stream: every hour `plan` finds, rewritten and swapped in. */
  async compactStream(stream: string, signal?: AbortSignal): Promise<CompactionReport> {
    const report: CompactionReport = { stream, hours: 0, replaced: 0, written: 0, records: 0, duplicatesDropped: 0, bytesBefore: 0, bytesAfter: 0, conflicts: 0, failed: 0 };
    for (const plan of await this.plan(stream)) {
      if (signal?.aborted) break;
      let outcome: HourOutcome | null;
      try {
        outcome = await this.compactHour(stream, plan);
      } catch (error) {
        // one hour that cannot be compacted (a missing file, a full disk) must not hold back the newer ones
        report.failed++;
        this.logger.error({ msg: 'hour not compacted; retried next pass', stream, dt: plan.dt, hour: plan.hour, error: (error as Error).message });
        continue;
      }
      if (!outcome) {
        report.conflicts++;
        continue;
      }
      const inputs = plan.groups.flat();
      report.hours++;
      report.replaced += inputs.length;
      report.written += outcome.outputs.length;
      report.records += outcome.records;
      report.duplicatesDropped += outcome.duplicatesDropped;
      report.bytesBefore += inputs.reduce((n, c) => n + c.bytes, 0);
      report.bytesAfter += outcome.bytes;
    }
    if (report.written > 0 || report.conflicts > 0 || report.failed > 0) this.logger.log({ msg: 'compaction pass', ...report });
    return report;
  }

  /**
   * Deletes the files of objects retired more than `graceMs` ago (replaced ones, and the outputs of compactions that
   * died before their swap); their catalog rows stay as tombstones.
   */
  async deleteRetired(): Promise<number> {
    const due = await this.o.reader.retiredObjectsDue(new Date(this.now().getTime() - this.o.config.graceMs));
    // claimed first: a file is deleted once, and never under an output another process is swapping in
    const claimed = await this.o.writer.claimDeletion(due.map((d) => d.uri));
    for (const uri of claimed) {
      const key = this.o.store.keyOf(uri);
      // An object outside this archive is not ours to delete: its row is a tombstone, its file stays.
      if (key !== null) await this.o.store.delete(key);
    }
    if (claimed.length > 0) this.logger.log({ msg: 'retired objects deleted', count: claimed.length });
    return claimed.length;
  }

  /**
   * Deletes work folders (`flux-compact-*` in the temp folder) older than `olderThanMs`: a compaction killed before
   * its clean-up leaves its downloads, database and output behind, up to a few times FLUX_CATALOG_COMPACT_MAX_MIB.
   */
  async sweepWorkFolders(olderThanMs: number): Promise<number> {
    const root = this.o.config.tempDir ?? tmpdir();
    let swept = 0;
    for (const name of await readdir(root).catch(() => [] as string[])) {
      if (!name.startsWith('flux-compact-')) continue;
      const info = await stat(join(root, name)).catch(() => null);
      if (!info?.isDirectory() || info.mtimeMs > this.now().getTime() - olderThanMs) continue;
      await rm(join(root, name), { recursive: true, force: true });
      swept++;
    }
    if (swept > 0) this.logger.log({ msg: 'stale compaction work folders deleted', count: swept, root });
    return swept;
  }

  /**
   * Rewrites an hour's groups as objects sorted by partition key, in one new folder, and swaps them in for the
   * hour's objects (and the partition's location to the folder) in one transaction. Returns null, having deleted its
   * outputs, when another compaction replaced one of the inputs first.
   */
  async compactHour(stream: string, plan: HourPlan): Promise<HourOutcome | null> {
    const { dt, hour } = plan;
    const generation = `g${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
    const folder = compactedFolderKey({ stream, dt, hour, generation });
    const dir = await mkdtemp(join(this.o.config.tempDir ?? tmpdir(), 'flux-compact-'));
    const outputs: { key: string; uri: string }[] = [];
    const outcome: HourOutcome = { outputs: [], records: 0, duplicatesDropped: 0, bytes: 0 };
    // Every output is catalogued as retired before its upload: a crash from here on leaves tombstones whose files
    // (if any) are deleted after the grace, never an uncatalogued object a rebuild would count beside its inputs.
    const abandon = async () => {
      for (const uri of await this.o.writer.claimDeletion(outputs.map((o) => o.uri))) await this.o.store.delete(outputs.find((o) => o.uri === uri)!.key);
    };
    let swapAttempted = false;
    try {
      let swapped: boolean;
      try {
        for (const [i, group] of plan.groups.entries()) {
          const written = await this.rewriteGroup(group, dir, i);
          const key = compactedObjectKey({ stream, dt, hour, generation, id: `compacted-${i}-${randomBytes(3).toString('hex')}` });
          const fields = unionFields(group);
          const output: ArchiveObjectWritten = {
            objectUri: this.o.store.uri(key),
            stream,
            layout: 2,
            shards: written.shards,
            ...(fields.length > 0 ? { fields } : {}),
            firstArrivalTime: new Date(written.first).toISOString(),
            lastArrivalTime: new Date(written.last).toISOString(),
            dt,
            hour,
            recordCount: written.records,
            bytes: (await stat(written.path)).size,
          };
          if (!(await this.o.writer.reserveObject(output, group.length))) throw new Error(`compaction output ${output.objectUri} is catalogued already`);
          outputs.push({ key, uri: output.objectUri });
          await this.o.store.put(key, written.path);
          await rm(written.path, { force: true });
          outcome.records += written.records;
          outcome.duplicatesDropped += written.duplicatesDropped;
          outcome.bytes += output.bytes;
        }
        swapAttempted = true;
        swapped = await this.o.writer.replaceObjects(
          stream,
          outputs.map((o) => o.uri),
          plan.groups.flat().map((c) => c.uri),
          { dt, hour, location: this.o.store.uri(folder) },
        );
      } catch (error) {
        // Before the swap, the outputs go now. A swap that failed may have committed all the same (a connection lost
        // before its reply): its outputs are then live, else tombstones that deleteRetired removes after the grace.
        if (!swapAttempted) await abandon().catch(() => undefined);
        throw error;
      }
      if (!swapped) {
        await abandon();
        this.logger.warn({ msg: 'compaction lost to another one: its objects deleted', stream, dt, hour, folder });
        return null;
      }
      outcome.outputs = outputs.map((o) => o.uri);
      return outcome;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** One group's records as a local Parquet file sorted by partition key (its own DuckDB database in `dir`). */
  private async rewriteGroup(group: CompactionCandidate[], dir: string, index: number) {
    const paths: string[] = [];
    for (const [i, c] of group.entries()) {
      const key = this.o.store.keyOf(c.uri);
      if (key === null) throw new Error(`${c.uri} lies outside the archive ${this.o.store.uri('')}`);
      const inPlace = this.o.store.localPath(key);
      if (inPlace) paths.push(inPlace);
      else {
        paths.push(join(dir, `in-${index}-${i}.parquet`));
        await this.o.store.getToFile(key, paths[i]);
      }
    }
    const instance = await DuckDBInstance.create(join(dir, `compact-${index}.duckdb`), {
      threads: String(this.o.threads ?? 2),
      memory_limit: `${Math.floor(this.o.config.memoryBytes / (1024 * 1024))}MiB`,
      temp_directory: join(dir, 'spill'),
    });
    try {
      const connection = await instance.connect();
      try {
        return await this.rewrite(connection, group, paths, join(dir, `out-${index}.parquet`));
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
      // the downloads and the database file: an hour of several groups holds one group's at a time
      for (const p of paths) if (p.startsWith(dir)) await rm(p, { force: true });
      await rm(join(dir, `compact-${index}.duckdb`), { force: true });
      await rm(join(dir, `compact-${index}.duckdb.wal`), { force: true });
    }
  }

  /** Loads the group's records in object order, drops repeats, and writes them sorted by partition key. */
  private async rewrite(connection: DuckDBConnection, group: CompactionCandidate[], paths: string[], out: string) {
    const scalar = async (sql: string) => (await connection.runAndReadAll(sql)).getRows()[0];
    await connection.run(`CREATE TABLE records (${TABLE_COLUMNS.map((c) => `${c.name} ${c.duckdb}`).join(', ')})`);
    // A file list reads in list order and each file in row order, so a key keeps its records' order within the hour.
    await connection.run(
      `INSERT INTO records SELECT ${TABLE_COLUMNS.map((c) => (c.name === 'data' ? `${ARCHIVE_RECORD_SQL[2].data} AS data` : c.name)).join(', ')}
         FROM read_parquet([${paths.map(sqlString).join(', ')}], union_by_name = true)`,
    );
    const [read] = await scalar(`SELECT count(*) FROM records`);
    const expected = group.reduce((n, c) => n + c.recordCount, 0);
    // The catalog's counts are the objects' own: a file that reads otherwise is not the object catalogued.
    if (Number(read) !== expected) throw new Error(`compaction read ${String(read)} records from ${group.length} objects the catalog counts ${expected} in`);
    const [distinct] = await scalar(`SELECT count(DISTINCT (shard_id, sequence_number, sub_sequence_number)) FROM records`);
    const duplicatesDropped = expected - Number(distinct);
    if (duplicatesDropped > 0) {
      await connection.run(
        `DELETE FROM records WHERE rowid IN (SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY shard_id, sequence_number, sub_sequence_number ORDER BY rowid) AS k FROM records) WHERE k > 1)`,
      );
    }
    const [records, first, last, bytes] = await scalar(
      `SELECT count(*), epoch_ms(min(arrival_time)), epoch_ms(max(arrival_time)),
              coalesce(sum(octet_length(data) + length(partition_key) + length(sequence_number)), 0) FROM records`,
    );
    const rows = Number(records);
    const shards = await shardRangesIn(connection, 'records');
    await writeArchiveFile(connection, { table: 'records', path: out, shards, fields: unionFields(group), order: 'partition_key', recordBytes: Number(bytes) / Math.max(1, rows) });
    const [inFile] = await scalar(`SELECT sum(num_rows) FROM parquet_file_metadata(${sqlString(out)})`);
    if (Number(inFile) !== rows) throw new Error(`compaction wrote ${String(inFile)} of ${rows} records`);
    return { path: out, records: rows, duplicatesDropped, shards, first: Number(first), last: Number(last) };
  }
}

/** The field columns of a compacted object: every path any of its inputs stores, named afresh for the set. */
function unionFields(group: CompactionCandidate[]) {
  const paths = new Map<string, string[]>();
  for (const c of group) for (const f of c.fields) paths.set(JSON.stringify(f.path), f.path);
  return archiveFieldColumns([...paths.values()]);
}
