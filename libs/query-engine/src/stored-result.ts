import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAll, type ArchiveStore } from '@flux-capacitor/archive';
import type { StoredResultInfo } from './query-job.repository';
import type { ResultColumn, ResultSet } from './result-set';

/**
 * Where query results live in the archive store. A leading `_` marks the folder hidden to Hive, Athena, Spark and
 * Drill, and its keys (`_results/<queryId>/part-00000.ndjson`) never parse as archive objects (those need
 * `dt=.../hour=...`), so neither the catalog nor its rebuild takes them for archive data.
 */
export const RESULTS_PREFIX = '_results/';

/** Rows per NDJSON part: a JSON page (at most 10,000 rows) spans at most two parts. */
const PART_ROWS = 10_000;

const partKey = (id: string, part: number) => `${RESULTS_PREFIX}${id}/part-${String(part).padStart(5, '0')}.ndjson`;
const parquetKey = (id: string) => `${RESULTS_PREFIX}${id}/result.parquet`;

/**
 * Keeps finished query results in the archive store, so any gateway replica can serve them and a restart loses
 * none: the rows as NDJSON parts of PART_ROWS rows (the JSON text the engine produced) and, when the engine can
 * export it, the whole result as Parquet.
 */
export class QueryResultStore {
  constructor(
    private readonly store: ArchiveStore,
    /** a local folder for the files being uploaded or downloaded */
    private readonly workDir: string,
  ) {}

  async save(id: string, result: ResultSet): Promise<StoredResultInfo> {
    const dir = mkdtempSync(join(this.workDir, 'result-'));
    try {
      let parts = 0;
      for (let at = 0; at < result.rowCount; at += PART_ROWS, parts++) {
        const lines = await result.readJsonLines(at, PART_ROWS);
        const file = join(dir, `part-${parts}.ndjson`);
        writeFileSync(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
        await this.store.put(partKey(id, parts), file);
        rmSync(file);
      }
      const parquet = await result.exportParquet();
      if (parquet) await this.store.put(parquetKey(id), parquet);
      return { parts, parquet: parquet !== null };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** The stored result of a query, read part by part; close it to drop a downloaded Parquet copy. */
  open(id: string, columns: ResultColumn[], rowCount: number, truncated: boolean, info: StoredResultInfo): ResultSet {
    return new StoredResultSet(this.store, this.workDir, id, columns, rowCount, truncated, info);
  }

  /** Deletes every object of a query's result (also the parts a crashed upload left). */
  async delete(id: string): Promise<void> {
    for await (const object of this.store.list(`${RESULTS_PREFIX}${id}/`)) await this.store.delete(object.key);
  }
}

class StoredResultSet implements ResultSet {
  private downloaded?: string;

  constructor(
    private readonly store: ArchiveStore,
    private readonly workDir: string,
    private readonly id: string,
    readonly columns: ResultColumn[],
    readonly rowCount: number,
    readonly truncated: boolean,
    private readonly info: StoredResultInfo,
  ) {}

  async readJsonLines(offset: number, limit: number): Promise<string[]> {
    const from = Math.max(0, Math.floor(offset));
    const to = Math.min(this.rowCount, from + Math.max(0, Math.floor(limit)));
    const lines: string[] = [];
    for (let part = Math.floor(from / PART_ROWS); part < this.info.parts && part * PART_ROWS < to; part++) {
      const text = (await readAll(await this.store.getStream(partKey(this.id, part)))).toString('utf8');
      const rows = text.length > 0 ? text.replace(/\n$/, '').split('\n') : [];
      const first = part * PART_ROWS;
      lines.push(...rows.slice(Math.max(0, from - first), to - first));
    }
    return lines;
  }

  async exportParquet(): Promise<string | null> {
    if (!this.info.parquet) return null;
    const inPlace = this.store.localPath(parquetKey(this.id));
    if (inPlace) return inPlace;
    if (!this.downloaded) {
      const path = join(mkdtempSync(join(this.workDir, 'download-')), `${this.id}.parquet`);
      await this.store.getToFile(parquetKey(this.id), path);
      this.downloaded = path;
    }
    return this.downloaded;
  }

  close(): void {
    if (this.downloaded) rmSync(join(this.downloaded, '..'), { recursive: true, force: true });
    this.downloaded = undefined;
  }
}
