import { AbortedError } from '@flux-capacitor/kinesis';

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
