import { FluxError } from '@flux-capacitor/contracts';
import { AbortedError } from '@flux-capacitor/kinesis';

const MIB = 1024 * 1024;
/**
 * Resident memory the archiver's work needs beside DuckDB's and the pages', measured with `npm run bench:archiver`:
 * the upload's parts and garbage of parsed pages the JS collector has not freed yet.
 */
export const WORKING_BYTES = 48 * MIB;
/**
 * DuckDB's memory limit: writing an object from its page files needs ~90 MiB that cannot spill (the JSON scan's
 * buffers and the row groups being encoded); a lower limit fails the COPY with Out of Memory. A sort by partition
 * key spills to the temp folder beyond it.
 */
export const COPY_MEMORY_BYTES = 128 * MIB;
/** Below this, pages would be a few records: refuse to start instead. */
const MIN_PAGE_BUDGET = 8 * MIB;

/**
 * The bytes of GetRecords pages an instance may hold at once so that its resident memory stays within `memoryBytes`
 * (FLUX_ARCHIVER_MEMORY_MIB), given what the process occupies before it holds any (`baselineBytes`): what is left
 * after the process itself, DuckDB writing an object and the working memory. Buffered rows are not in it: they wait
 * on disk as the pages they came in (the spool budget, FLUX_ARCHIVER_SPOOL_MIB, bounds them).
 */
export function pageBudgetBytes(memoryBytes: number, baselineBytes: number): number {
  const bytes = memoryBytes - baselineBytes - COPY_MEMORY_BYTES - WORKING_BYTES;
  if (bytes < MIN_PAGE_BUDGET) {
    const needed = Math.ceil((baselineBytes + COPY_MEMORY_BYTES + WORKING_BYTES + MIN_PAGE_BUDGET) / MIB);
    throw new FluxError(
      'invalid-input',
      'CONFIG_INVALID',
      `FLUX_ARCHIVER_MEMORY_MIB=${Math.round(memoryBytes / MIB)} leaves too little for GetRecords pages above the ${Math.round(baselineBytes / MIB)} MiB this process needs itself: set it to at least ${needed}`,
      { details: { key: 'FLUX_ARCHIVER_MEMORY_MIB' } },
    );
  }
  return bytes;
}

/**
 * An instance-wide budget of bytes, shared by every leased shard, so that what the archiver holds follows the budget,
 * not the shard count. The archiver has two: memory for GetRecords pages (reserved before the call, given back once
 * the page is on disk) and disk for buffered rows (the spool: counted when a page is buffered, given back when its
 * object is written). When a reservation does not fit, `relieve` is asked to free room (the spool's writes the
 * largest buffer) and the reader waits until bytes are released.
 */
export class ByteBudget {
  private used = 0;
  private peak = 0;
  private waiters = new Set<() => void>();
  /** Reservations that had to wait: how often the budget held reading back. */
  waits = 0;
  /** Shards reading now: each sizes its pages to a share of the budget. */
  readers = 0;
  /** Bytes given back beyond what was held: 0 unless the accounting has a bug (health shows it; tests assert it). */
  overReleasedBytes = 0;

  constructor(
    readonly capacity: number,
    private readonly relieve: () => void = () => undefined,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  get peakBytes(): number {
    return this.peak;
  }

  /**
   * Takes `bytes`, waiting while they do not fit. A request larger than the whole budget goes through once nothing
   * else is held, so a single large page can never block forever.
   */
  async acquire(bytes: number, signal?: AbortSignal): Promise<void> {
    let waited = false;
    while (this.used > 0 && this.used + bytes > this.capacity) {
      if (signal?.aborted) throw new AbortedError('waiting for room in an archiver budget');
      if (!waited) this.waits++;
      waited = true;
      this.relieve();
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.waiters.delete(wake);
          signal?.removeEventListener('abort', wake);
          resolve();
        };
        this.waiters.add(wake);
        signal?.addEventListener('abort', wake, { once: true });
      });
    }
    this.add(bytes);
  }

  /** Counts bytes that are already held (e.g. a page larger than its reservation), without waiting. */
  add(bytes: number): void {
    this.used += bytes;
    if (this.used > this.peak) this.peak = this.used;
  }

  release(bytes: number): void {
    if (bytes <= 0) return;
    if (bytes > this.used) this.overReleasedBytes += bytes - this.used;
    this.used = Math.max(0, this.used - bytes);
    for (const wake of [...this.waiters]) wake();
  }
}
