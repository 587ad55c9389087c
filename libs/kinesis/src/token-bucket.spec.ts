import { TokenBucket } from './token-bucket';

describe('TokenBucket (injected clock)', () => {
  it('starts with one second of burst and hands out no more than rate × elapsed after that', () => {
    const bucket = new TokenBucket(100, 0);
    let taken = 0;
    while (bucket.canTake(1, 0)) {
      bucket.take(1, 0);
      taken++;
    }
    expect(taken).toBe(100);
    // 2.5 s later: 250 more, not a token more.
    for (let t = 0; t <= 2500; t += 10) {
      while (bucket.canTake(1, t)) {
        bucket.take(1, t);
        taken++;
      }
    }
    expect(taken).toBe(350);
  });

  it('caps an idle bucket at its capacity', () => {
    const bucket = new TokenBucket(50, 0);
    expect(bucket.available(60_000)).toBe(50);
  });

  it('says how long until a request fits', () => {
    const bucket = new TokenBucket(1000, 0);
    bucket.take(1000, 0);
    expect(bucket.canTake(1, 0)).toBe(false);
    expect(bucket.msUntil(100, 0)).toBe(100);
    expect(bucket.canTake(100, 100)).toBe(true);
  });

  it('lets a request larger than the bucket take a full bucket and then pays the debt at the rate', () => {
    const bucket = new TokenBucket(1000, 0);
    expect(bucket.canTake(5000, 0)).toBe(true);
    bucket.take(5000, 0);
    expect(bucket.available(0)).toBe(-4000);
    expect(bucket.msUntil(1, 0)).toBe(4001);
    expect(bucket.canTake(1, 4001)).toBe(true);
  });

  it('drops tokens above a lowered capacity and refills at the new rate', () => {
    const bucket = new TokenBucket(1000, 0);
    bucket.setRate(100, 0);
    expect(bucket.available(0)).toBe(100);
    bucket.take(100, 0);
    expect(bucket.available(500)).toBe(50);
  });
});
