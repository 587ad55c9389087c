import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBBlobValue, DuckDBInstance } from '@duckdb/node-api';
import type { ArchiveStore } from '@flux-capacitor/archive';
import { SchemaObserver, type ObservedSchema } from '../schema/schema-inference';

/** What the catalog learns by reading an archive object. */
export interface ArchiveObjectFacts {
  recordCount: number;
  /** epoch ms; null for an empty object */
  firstArrivalTime: number | null;
  lastArrivalTime: number | null;
  bytes: number;
  /** schema of the first `sampleRecords` records; null for an empty object */
  schema: ObservedSchema | null;
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * Reads archive objects with an embedded DuckDB: record count and arrival-time range from the whole Parquet
 * file, and a schema from the first N records. The object is fetched through the ArchiveStore (S3 or file) into
 * a temporary file, read, and removed.
 */
export class ArchiveObjectInspector {
  private constructor(private readonly instance: DuckDBInstance) {}

  static async create(): Promise<ArchiveObjectInspector> {
    // One thread: inspection runs beside message handling; external access stays on for read_parquet of local files.
    return new ArchiveObjectInspector(await DuckDBInstance.create(':memory:', { threads: '1' }));
  }

  async inspect(store: ArchiveStore, key: string, sampleRecords: number): Promise<ArchiveObjectFacts> {
    const dir = await mkdtemp(join(tmpdir(), 'flux-catalog-'));
    const path = join(dir, 'object.parquet');
    const connection = await this.instance.connect();
    try {
      await store.getToFile(key, path);
      const info = await store.head(key);
      const stats = await connection.runAndReadAll(
        `SELECT count(*), min(epoch_ms(arrival_time)), max(epoch_ms(arrival_time)) FROM read_parquet(${sqlString(path)})`,
      );
      const [count, first, last] = stats.getRows()[0] as [bigint, bigint | null, bigint | null];
      const recordCount = Number(count);
      let schema: ObservedSchema | null = null;
      if (recordCount > 0) {
        const observer = new SchemaObserver();
        const sample = await connection.runAndReadAll(
          `SELECT epoch_ms(arrival_time), data FROM read_parquet(${sqlString(path)}) LIMIT ${Math.max(1, Math.floor(sampleRecords))}`,
        );
        for (const [t, data] of sample.getRows() as [bigint, DuckDBBlobValue][]) observer.observe(data.bytes, Number(t));
        schema = observer.result();
      }
      return {
        recordCount,
        firstArrivalTime: first === null ? null : Number(first),
        lastArrivalTime: last === null ? null : Number(last),
        bytes: info?.size ?? 0,
        schema,
      };
    } finally {
      connection.closeSync();
      await rm(dir, { recursive: true, force: true });
    }
  }

  close(): void {
    this.instance.closeSync();
  }
}
