/**
 * At most `max` holders at once; the rest wait in arrival order. A waiter whose signal aborts is let through at
 * once (it then finds itself cancelled and releases), so a cancelled queued query never waits for a slot.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly max: number) {}

  async acquire(signal: AbortSignal): Promise<void> {
    if (this.running < this.max) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => {
      const go = () => {
        signal.removeEventListener('abort', go);
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        this.running++;
        resolve();
      };
      this.waiting.push(go);
      signal.addEventListener('abort', go);
    });
  }

  release(): void {
    this.running--;
    this.waiting[0]?.();
  }
}
