import { FluxError } from '@flux-capacitor/contracts';
import { AbortedError } from '@flux-capacitor/kinesis';

const MIB = 1024 * 1024;
/**
 * Resident memory the archiver's work needs whatever the budget, measured with `npm run bench:archiver`: DuckDB
 * encoding and compressing an object (row groups are buffered), the upload's parts, garbage of parsed pages the JS
 * collector has not freed yet.
 */
export const WORKING_BYTES = 96 * MIB;
/** Resident bytes per byte of records held: DuckDB table blocks and string heaps over the rows themselves. */
export const RESIDENT_BYTES_PER_RECORD_BYTE = 1.5;
/**
 * Resident bytes per byte of records held when objects are sorted by partition key (FLUX_ARCHIVER_SORT=partition_key):
 * one more than in append order, for the copy in key order each object gets before its COPY. Measured with
 * `bench:archiver -- --scenario deep`: peak RSS 563 MiB sorted against 510 MiB in append order on the same budget
 * (objects of ~64 MiB), 496 MiB with this.
 */
export const SORTED_RESIDENT_BYTES_PER_RECORD_BYTE = RESIDENT_BYTES_PER_RECORD_BYTE + 1;
/** Below this, objects would be tiny and pages a few records: refuse to start instead. */
const MIN_RECORD_BUDGET = 16 * MIB;

/**
 * The bytes of records an instance may hold so that its resident memory stays within `memoryBytes`
 * (FLUX_ARCHIVER_MEMORY_MIB), given what the process occupies before it holds any (`baselineBytes`): what is left
 * after the process itself and the working memory, over what a held byte costs (`perRecordByte`; more when objects
 * are sorted: SORTED_RESIDENT_BYTES_PER_RECORD_BYTE).
 */
export function recordBudgetBytes(memoryBytes: number, baselineBytes: number, perRecordByte = RESIDENT_BYTES_PER_RECORD_BYTE): number {
  const bytes = Math.floor((memoryBytes - baselineBytes - WORKING_BYTES) / perRecordByte);
  if (bytes < MIN_RECORD_BUDGET) {
    const needed = Math.ceil((baselineBytes + WORKING_BYTES + MIN_RECORD_BUDGET * perRecordByte) / MIB);
    throw new FluxError(
      'invalid-input',
      'CONFIG_INVALID',
      `FLUX_ARCHIVER_MEMORY_MIB=${Math.round(memoryBytes / MIB)} leaves too little for records above the ${Math.round(baselineBytes / MIB)} MiB this process needs itself: set it to at least ${needed}`,
      { details: { key: 'FLUX_ARCHIVER_MEMORY_MIB' } },
    );
  }
  return bytes;
}

/**
 * One instance-wide budget for the bytes of records the archiver holds: pages being fetched (reserved before the
 * GetRecords call), rows buffered for objects, and objects being written. It is shared by every leased shard, so
 * memory follows the budget, not the shard count. When a reservation does not fit, `relieve` is asked to free
 * room (the archiver writes its largest buffer) and the reader waits until bytes are released.
 */
export class MemoryBudget {
  private used = 0;
  private peak = 0;
  private waiters = new Set<() => void>();
  /** Reservations that had to wait: how often the budget held reading back. */
  waits = 0;
  /** Shards reading now: each sizes its pages to a share of the budget. */
  readers = 0;

  constructor(
    readonly capacity: number,
    private readonly relieve: () => void,
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
      if (signal?.aborted) throw new AbortedError('waiting for archiver memory');
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
    this.used = Math.max(0, this.used - bytes);
    for (const wake of [...this.waiters]) wake();
  }
}
