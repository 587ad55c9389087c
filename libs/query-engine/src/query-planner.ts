import { Logger } from '@nestjs/common';
import { selectFieldColumns, type ArchiveFieldColumn, type FieldColumnChoice, type ArchiveLayout, type ObjectShardRange, type SchemaFieldLike } from '@flux-capacitor/contracts';
import type { ArchiveObjectCache, PinnedObjects } from './archive-object-cache';
import type { LiveTailOptions, LiveTailResult } from './live-tail';
import type { TimeBounds } from './sql-analysis';
import { mayHoldWithin, type ShardSequenceBounds, type StreamSource } from './stream-source';

/** The slice of the catalog the gateway reads (CatalogReader from @flux-capacitor/archive-catalog satisfies it). */
export interface QueryCatalog {
  /** the objects overlapping the window, each with its layout and the range of every shard it holds */
  listObjects(
    stream: string,
    range?: { from?: Date; to?: Date },
  ): Promise<{ uri: string; layout: ArchiveLayout; shards: ObjectShardRange[]; bytes?: number; fields?: ArchiveFieldColumn[] }[]>;
  /** the stream's latest inferred schema (its fields choose the typed field columns); null when none */
  getSchema?(stream: string): Promise<{ fields: readonly SchemaFieldLike[] } | null>;
  /** per shard, the highest catalogued sequence number over every object holding that shard */
  shardHighWatermarks(stream: string): Promise<Map<string, string>>;
}

const logger = new Logger('QueryPlanner');

/**
 * A stream's typed field columns: the catalog's latest schema through selectFieldColumns (default limit). A schema
 * that cannot be read costs the typed columns (logged), never the query.
 */
export async function fieldChoices(catalog: QueryCatalog, table: string): Promise<FieldColumnChoice[]> {
  try {
    const schema = await catalog.getSchema?.(table);
    return schema ? selectFieldColumns(schema.fields) : [];
  } catch (err) {
    logger.warn({ msg: 'schema not read: no typed field columns', stream: table, error: (err as Error).message });
    return [];
  }
}

export interface LiveTailReader {
  read(stream: string, watermarks: Map<string, string>, opts: LiveTailOptions): Promise<LiveTailResult>;
}

export interface PlannedSources {
  sources: StreamSource[];
  /** per table: the catalog's highest archived sequence number per shard */
  catalogWatermarks: Map<string, Map<string, string>>;
  pins: PinnedObjects[];
  objects: number;
  /** the catalogued size of the objects the plan reads (what a query over them scans) */
  bytes: number;
  liveRecords: number;
  /** tables whose live tail was cut short by the limits */
  truncated: string[];
}

export interface QueryPlannerDeps {
  catalog: QueryCatalog;
  cache: ArchiveObjectCache;
  liveTail?: LiveTailReader;
}

/**
 * Decides what a statement reads: per stream table, the catalog's archive objects (pruned by the statement's
 * arrival_time bounds, pinned in the local cache) and the live tail past the catalog's per-shard checkpoints.
 */
export class QueryPlanner {
  constructor(private readonly deps: QueryPlannerDeps) {}

  /**
   * Picks each table's archive objects from the catalog (pruned by `bounds`), reads its live tail past the
   * catalog's per-shard checkpoints (up to `live` limits) and pins the objects in the local cache. A name that is
   * neither catalogued nor a Kinesis stream is left out (a CTE, or a typo DuckDB will report). The caller releases
   * the pins.
   */
  async plan(
    tables: string[],
    bounds: Map<string, TimeBounds>,
    live: { maxRecords: number; budgetMs: number } | undefined,
    /** per table (lower case): objects holding nothing within these per-shard bounds are left out */
    sequenceBounds: Map<string, ShardSequenceBounds> = new Map(),
    /** per table (lower case): the typed field columns already chosen for this query (read once, see fieldChoices) */
    choices?: ReadonlyMap<string, FieldColumnChoice[]>,
  ): Promise<PlannedSources> {
    const planned: PlannedSources = { sources: [], catalogWatermarks: new Map(), pins: [], objects: 0, bytes: 0, liveRecords: 0, truncated: [] };
    try {
      for (const table of tables) {
        const range = bounds.get(table.toLowerCase()) ?? {};
        const tail = live && this.deps.liveTail ? this.deps.liveTail : undefined;
        // Indexed catalog reads per table; a name the catalog has never seen (a CTE, a typo) yields nothing.
        const [listed, watermarks, fields] = await Promise.all([
          this.deps.catalog.listObjects(table, {
            from: range.from === undefined ? undefined : new Date(range.from),
            to: range.to === undefined ? undefined : new Date(range.to),
          }),
          this.deps.catalog.shardHighWatermarks(table),
          choices?.get(table.toLowerCase()) ?? fieldChoices(this.deps.catalog, table),
        ]);
        const catalogued = listed.length > 0 || watermarks.size > 0;
        const seqBounds = sequenceBounds.get(table.toLowerCase());
        const objects = seqBounds ? listed.filter((o) => mayHoldWithin(o.shards, seqBounds)) : listed;
        if (!catalogued && !tail) continue; // not a stream: DuckDB resolves it (a CTE) or reports it unknown
        let liveRecords: StreamSource['live'] = [];
        if (tail && live) {
          const read = await tail.read(table, watermarks, live);
          if (!catalogued && read.shardsRead === 0) continue; // neither archived nor in Kinesis: not a stream
          liveRecords = read.records.filter((r) => (range.from === undefined || r.arrivalTime >= range.from) && (range.to === undefined || r.arrivalTime <= range.to));
          if (read.truncated) planned.truncated.push(table);
        }
        const pinned = await this.deps.cache.pin(objects.map((o) => o.uri));
        planned.pins.push(pinned);
        planned.catalogWatermarks.set(table, watermarks);
        planned.sources.push({
          name: table,
          archiveFiles: objects.map((o) => ({ path: pinned.paths.get(o.uri)!, uri: o.uri, layout: o.layout, shards: o.shards, fields: o.fields })),
          live: liveRecords,
          fields,
        });
        planned.objects += objects.length;
        for (const o of objects) planned.bytes += o.bytes ?? 0;
        planned.liveRecords += liveRecords.length;
      }
      return planned;
    } catch (err) {
      for (const p of planned.pins) p.release();
      throw err;
    }
  }

  /** Whether `name` is a stream: catalogued, or readable from Kinesis. */
  async isStream(name: string): Promise<boolean> {
    const [objects, watermarks] = await Promise.all([this.deps.catalog.listObjects(name, {}), this.deps.catalog.shardHighWatermarks(name)]);
    if (objects.length > 0 || watermarks.size > 0) return true;
    if (!this.deps.liveTail) return false;
    return (await this.deps.liveTail.read(name, new Map(), { maxRecords: 0, budgetMs: 5000 })).shardsRead > 0;
  }

}
