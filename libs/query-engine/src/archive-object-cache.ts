import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ArchiveObjectNotFoundError, type ArchiveStore } from '@flux-capacitor/archive';
import { FluxError } from '@flux-capacitor/contracts';

/** Local paths for a query's objects, held until `release()` so the cache does not evict them mid-scan. */
export interface PinnedObjects {
  paths: Map<string, string>;
  /** objects fetched from the store for this query (not already cached) */
  downloaded: number;
  release(): void;
}

interface Entry {
  path: string;
  bytes: number;
  pins: number;
  lastUsed: number;
  ready: Promise<void>;
}

/**
 * Makes archive objects readable by DuckDB as local files, through the archive store. Objects the store can read in
 * place (`file://`) are used where they lie. Others (`s3://`: DuckDB's httpfs extension cannot be installed here)
 * are fetched with `store.getToFile` into a cache directory bounded by `maxBytes`: least recently used, unpinned
 * files are evicted first. A query that needs more than the bound
 * still runs (its objects stay pinned while it does) and the cache shrinks back once it is released.
 */
export class ArchiveObjectCache {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;

  constructor(
    private readonly options: { directory: string; maxBytes: number; store: ArchiveStore },
  ) {
    rmSync(options.directory, { recursive: true, force: true });
    mkdirSync(options.directory, { recursive: true });
  }

  get cachedBytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    return total;
  }

  async pin(uris: string[], concurrency = 8): Promise<PinnedObjects> {
    const paths = new Map<string, string>();
    const pinned: Entry[] = [];
    let downloaded = 0;
    const release = () => {
      for (const e of pinned.splice(0)) e.pins--;
      this.evict();
    };
    try {
      const queue = [...new Set(uris)];
      const worker = async () => {
        for (let uri = queue.shift(); uri !== undefined; uri = queue.shift()) {
          const key = this.options.store.keyOf(uri);
          if (key === null) throw new FluxError('internal', 'ARCHIVE_URI_OUTSIDE', `${uri} is not an object of the archive at ${this.options.store.location.uri}`);
          const inPlace = this.options.store.localPath(key);
          if (inPlace !== null) {
            paths.set(uri, inPlace);
            continue;
          }
          let entry = this.entries.get(uri);
          if (!entry) {
            entry = { path: join(this.options.directory, `${createHash('sha256').update(uri).digest('hex').slice(0, 32)}.parquet`), bytes: 0, pins: 0, lastUsed: 0, ready: Promise.resolve() };
            const e = entry;
            e.ready = this.download(key, e.path).then((bytes) => {
              e.bytes = bytes;
            });
            this.entries.set(uri, e);
            e.ready.catch(() => this.entries.delete(uri));
            downloaded++;
          }
          entry.pins++;
          entry.lastUsed = ++this.clock;
          pinned.push(entry);
          await entry.ready;
          paths.set(uri, entry.path);
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      this.evict();
      return { paths, downloaded, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  private async download(key: string, path: string): Promise<number> {
    const tmp = `${path}.part`;
    try {
      await this.options.store.getToFile(key, tmp);
    } catch (err) {
      // The catalog lists an object the archive no longer has (deleted by hand or by a lifecycle rule): the query
      // cannot be answered whole until the catalog is rebuilt; not the client's fault, and not a missing route.
      if (err instanceof ArchiveObjectNotFoundError) {
        throw new FluxError('unavailable', 'ARCHIVE_OBJECT_MISSING', `the catalog lists archive object ${key}, which the archive does not hold: run \`fluxcap catalog rebuild\``, { cause: err });
      }
      throw err;
    }
    renameSync(tmp, path);
    return statSync(path).size;
  }

  private evict(): void {
    let total = this.cachedBytes;
    if (total <= this.options.maxBytes) return;
    const candidates = [...this.entries.entries()].filter(([, e]) => e.pins === 0 && e.bytes > 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    for (const [uri, e] of candidates) {
      if (total <= this.options.maxBytes) break;
      rmSync(e.path, { force: true });
      this.entries.delete(uri);
      total -= e.bytes;
    }
  }
}
