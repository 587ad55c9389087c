/**
 * A token bucket holding `burstSeconds` worth of its rate, full at the start. Time is passed in (milliseconds on
 * any monotonic clock) so the arithmetic can be tested without waiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private rate: number,
    now: number,
    private readonly burstSeconds = 1,
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`token bucket rate must be a positive number, got ${rate}`);
    this.tokens = this.capacity;
    this.last = now;
  }

  get capacity(): number {
    return this.rate * this.burstSeconds;
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Tokens available at `now` (negative while in debt). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Changes the rate from `now` on; tokens above the new capacity are dropped. */
  setRate(rate: number, now: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError(`token bucket rate must be a positive number, got ${rate}`);
    this.refill(now);
    this.rate = rate;
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  /**
   * Whether `n` tokens may be taken at `now`. A request larger than the whole bucket may take a full bucket (leaving
   * it in debt), so that it is slowed down to the rate instead of waiting forever.
   */
  canTake(n: number, now: number): boolean {
    this.refill(now);
    return this.tokens >= Math.min(n, this.capacity);
  }

  take(n: number, now: number): void {
    this.refill(now);
    this.tokens -= n;
  }

  /** Milliseconds from `now` until `canTake(n)` holds (0 if it holds already). */
  msUntil(n: number, now: number): number {
    this.refill(now);
    const missing = Math.min(n, this.capacity) - this.tokens;
    // The epsilon keeps float noise (4001.0000000000005) from adding a millisecond.
    return missing <= 0 ? 0 : Math.ceil((missing / this.rate) * 1000 - 1e-9);
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
  }
}
