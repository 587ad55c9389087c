import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { Logger } from '@nestjs/common';
import { archiveFieldColumns, multiShardObjectKey, writeArchiveFile, type ArchiveStore } from '@flux-capacitor/archive';
import type { CompactionConfig } from '@flux-capacitor/config';
import { ARCHIVE_COLUMNS, ARCHIVE_RECORD_SQL, type ArchiveObjectWritten, type ObjectShardRange } from '@flux-capacitor/contracts';
import type { CatalogReader } from '../catalog-reader';
import type { CompactionCandidate } from '../catalog.types';
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
  /** groups another compaction replaced first: their output was deleted */
  conflicts: number;
}

/** The prefix of a compaction's object ids (`part-compacted-<time>-<random>.parquet`). */
export const COMPACTED_ID_PREFIX = 'compacted-';

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** The columns of the table writeArchiveFile reads: every record's bytes in `data` (layout 2's data_json folded in). */
const TABLE_COLUMNS = ARCHIVE_COLUMNS.filter((c) => c.name !== 'data_json');
const unpad = (s: string) => s.replace(/^0+(?=\d)/, '');

/**
 * Compaction of closed hours (docs/query.md "Compaction of closed hours"). In append order, every row group of an
 * hour's objects holds every partition key, so a lookup by key reads them all; rewritten as one object sorted by
 * partition key, a key sits in one row group. Done here, after the hour closed, rather than by the archiver: sorting
 * on the drain path costs it a fifth more CPU (docs/archiver.md "Row order").
 *
 * An hour is closed once `settleMs` have passed since it ended. Its live layout-2 objects are grouped in arrival
 * order up to `maxInputBytes` of stored bytes; a group is rewritten unless it is one compacted object already. The
 * output is registered and its inputs retired in one catalog transaction (CatalogWriter.replaceObjects); a query
 * that listed the inputs before the swap still reads them (they are deleted `graceMs` later), and one that lists
 * both is still right, as the gateway de-duplicates overlapping ranges. A late object in a compacted hour is
 * compacted with it in a later pass.
 */
export class HourCompactor {
  private readonly logger = new Logger(HourCompactor.name);
  private readonly now: () => Date;

  constructor(private readonly o: HourCompactorOptions) {
    this.now = o.now ?? (() => new Date());
  }

  /** The groups of objects a pass would rewrite, by hour (oldest first). */
  async plan(stream: string): Promise<CompactionCandidate[][]> {
    const closedBefore = new Date(this.now().getTime() - this.o.config.settleMs);
    const candidates = await this.o.reader.compactionCandidates(stream, closedBefore);
    const groups: CompactionCandidate[][] = [];
    let hour = '';
    let group: CompactionCandidate[] = [];
    let bytes = 0;
    const close = () => {
      if (group.length > 1 || (group.length === 1 && group[0].compactedFrom === null)) groups.push(group);
      group = [];
      bytes = 0;
    };
    for (const c of candidates) {
      const h = `${c.dt}/${c.hour}`;
      if (h !== hour || (group.length > 0 && bytes + c.bytes > this.o.config.maxInputBytes)) {
        close();
        hour = h;
      }
      group.push(c);
      bytes += c.bytes;
    }
    close();
    return groups;
  }

  /** One pass over a stream: every group `plan` finds, rewritten and swapped in. */
  async compactStream(stream: string): Promise<CompactionReport> {
    const report: CompactionReport = { stream, hours: 0, replaced: 0, written: 0, records: 0, duplicatesDropped: 0, bytesBefore: 0, bytesAfter: 0, conflicts: 0 };
    const hours = new Set<string>();
    for (const group of await this.plan(stream)) {
      const outcome = await this.compactGroup(stream, group);
      if (!outcome) {
        report.conflicts++;
        continue;
      }
      hours.add(`${group[0].dt}/${group[0].hour}`);
      report.replaced += group.length;
      report.written++;
      report.records += outcome.records;
      report.duplicatesDropped += outcome.duplicatesDropped;
      report.bytesBefore += group.reduce((n, c) => n + c.bytes, 0);
      report.bytesAfter += outcome.bytes;
    }
    report.hours = hours.size;
    if (report.written > 0 || report.conflicts > 0) this.logger.log({ msg: 'compaction pass', ...report });
    return report;
  }

  /**
   * Deletes the files of objects retired more than `graceMs` ago (replaced ones, and the outputs of compactions that
   * died before their swap); their catalog rows stay as tombstones.
   */
  async deleteRetired(): Promise<number> {
    const due = await this.o.reader.retiredObjectsDue(new Date(this.now().getTime() - this.o.config.graceMs));
    const deleted: string[] = [];
    for (const { uri } of due) {
      const key = this.o.store.keyOf(uri);
      // An object outside this archive is not ours to delete; it stays retired.
      if (key !== null) await this.o.store.delete(key);
      deleted.push(uri);
    }
    await this.o.writer.markObjectsDeleted(deleted);
    if (deleted.length > 0) this.logger.log({ msg: 'retired objects deleted', count: deleted.length });
    return deleted.length;
  }

  /**
   * Rewrites one group as an object sorted by partition key and swaps it in. Returns null, having deleted its
   * output, when another compaction replaced one of the inputs first.
   */
  async compactGroup(stream: string, group: CompactionCandidate[]): Promise<{ records: number; duplicatesDropped: number; bytes: number; uri: string } | null> {
    const { dt, hour } = group[0];
    const dir = await mkdtemp(join(this.o.config.tempDir ?? tmpdir(), 'flux-compact-'));
    try {
      const paths: string[] = [];
      for (const [i, c] of group.entries()) {
        const key = this.o.store.keyOf(c.uri);
        if (key === null) throw new Error(`${c.uri} lies outside the archive ${this.o.store.uri('')}`);
        const inPlace = this.o.store.localPath(key);
        if (inPlace) paths.push(inPlace);
        else {
          paths.push(join(dir, `in-${i}.parquet`));
          await this.o.store.getToFile(key, paths[i]);
        }
      }
      const instance = await DuckDBInstance.create(join(dir, 'compact.duckdb'), {
        threads: String(this.o.threads ?? 2),
        memory_limit: `${Math.floor(this.o.config.memoryBytes / (1024 * 1024))}MB`,
        temp_directory: join(dir, 'spill'),
      });
      let written: { path: string; records: number; duplicatesDropped: number; shards: ObjectShardRange[]; first: number; last: number };
      try {
        const connection = await instance.connect();
        try {
          written = await this.rewrite(connection, group, paths, join(dir, 'out.parquet'));
        } finally {
          connection.closeSync();
        }
      } finally {
        instance.closeSync();
      }
      const key = multiShardObjectKey({ stream, dt, hour, id: `${COMPACTED_ID_PREFIX}${Date.now().toString(36)}-${randomBytes(4).toString('hex')}` });
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
      // Catalogued as retired before the upload: a crash from here on leaves a tombstone whose file (if any) is
      // deleted after the grace, never an uncatalogued object that a rebuild would count beside its inputs.
      if (!(await this.o.writer.reserveObject(output, group.length))) throw new Error(`compaction output ${output.objectUri} is catalogued already`);
      const abandon = async () => {
        await this.o.store.delete(key);
        await this.o.writer.markObjectsDeleted([output.objectUri]);
      };
      let swapped: boolean;
      try {
        await this.o.store.put(key, written.path);
        swapped = await this.o.writer.replaceObjects(stream, output.objectUri, group.map((c) => c.uri));
      } catch (error) {
        // the compaction's own error; a failed clean-up leaves the tombstone to deleteRetired
        await abandon().catch(() => undefined);
        throw error;
      }
      if (!swapped) {
        await abandon();
        this.logger.warn({ msg: 'compaction lost to another one: its object deleted', stream, dt, hour, key });
        return null;
      }
      return { records: written.records, duplicatesDropped: written.duplicatesDropped, bytes: output.bytes, uri: output.objectUri };
    } finally {
      await rm(dir, { recursive: true, force: true });
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
    // Sequence numbers are decimal strings wider than any DuckDB integer: zero-padded, text order is numeric.
    const shards = (
      (await connection.runAndReadAll(
        `SELECT shard_id, min(lpad(sequence_number, 64, '0')), max(lpad(sequence_number, 64, '0')), count(*) FROM records GROUP BY shard_id ORDER BY shard_id`,
      )).getRows() as [string, string, string, bigint][]
    ).map(([shardId, lo, hi, n]) => ({ shardId, firstSequenceNumber: unpad(lo), lastSequenceNumber: unpad(hi), recordCount: Number(n) }));
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
