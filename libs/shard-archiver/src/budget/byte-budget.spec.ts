import { AbortedError } from '@flux-capacitor/kinesis';
import { ByteBudget, COPY_MEMORY_BYTES, WORKING_BYTES, pageBudgetBytes } from './byte-budget';

describe('ByteBudget', () => {
  it('grants what fits at once and tracks use and peak', async () => {
    const budget = new ByteBudget(100, () => undefined);
    await budget.acquire(60);
    await budget.acquire(40);
    expect(budget.usedBytes).toBe(100);
    budget.release(70);
    expect(budget.usedBytes).toBe(30);
    expect(budget.peakBytes).toBe(100);
    expect(budget.waits).toBe(0);
    expect(budget.overReleasedBytes).toBe(0);
  });

  it('counts bytes given back beyond what it holds (an accounting bug) instead of going below 0 silently', () => {
    const budget = new ByteBudget(100, () => undefined);
    budget.add(30);
    budget.release(50);
    expect(budget.usedBytes).toBe(0);
    expect(budget.overReleasedBytes).toBe(20);
  });

  it('asks for relief and waits while a request does not fit, then grants it once bytes are released', async () => {
    let relieved = 0;
    const budget = new ByteBudget(100, () => relieved++);
    await budget.acquire(80);
    let granted = false;
    const waiting = budget.acquire(50).then(() => (granted = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(granted).toBe(false);
    expect(relieved).toBe(1);
    budget.release(20); // 60 + 50 > 100: still waiting, relief asked again
    await new Promise((r) => setTimeout(r, 10));
    expect(granted).toBe(false);
    expect(relieved).toBe(2);
    budget.release(30);
    await waiting;
    expect(budget.usedBytes).toBe(80);
    expect(budget.peakBytes).toBeLessThanOrEqual(100);
    expect(budget.waits).toBe(1);
  });

  it('lets a request larger than the whole budget through when nothing else is held', async () => {
    const budget = new ByteBudget(100, () => undefined);
    await budget.acquire(500);
    expect(budget.usedBytes).toBe(500);
  });

  it('stops waiting with AbortedError when the reader is stopped', async () => {
    const budget = new ByteBudget(100, () => undefined);
    await budget.acquire(100);
    const stop = new AbortController();
    const waiting = budget.acquire(1, stop.signal);
    stop.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(budget.usedBytes).toBe(100);
  });

  it('counts bytes added without waiting (a page larger than its reservation)', () => {
    const budget = new ByteBudget(100, () => undefined);
    budget.add(150);
    expect(budget.usedBytes).toBe(150);
    expect(budget.peakBytes).toBe(150);
  });
});

describe('pageBudgetBytes', () => {
  const MIB = 1024 * 1024;
  it('gives GetRecords pages what the process, DuckDB writing an object and the working memory leave', () => {
    expect(pageBudgetBytes(512 * MIB, 266 * MIB)).toBe(512 * MIB - 266 * MIB - COPY_MEMORY_BYTES - WORKING_BYTES);
    // buffered rows are on disk: more memory is all pages
    expect(pageBudgetBytes(1024 * MIB, 266 * MIB) - pageBudgetBytes(512 * MIB, 266 * MIB)).toBe(512 * MIB);
  });

  it('refuses a memory setting that leaves too little, naming the key and the least that works', () => {
    // 290 + 128 (DuckDB) + 48 (working) + 8 (pages) MiB
    expect(() => pageBudgetBytes(384 * MIB, 290 * MIB)).toThrow(/FLUX_ARCHIVER_MEMORY_MIB=384 .* 290 MiB .* at least 474/);
    expect(pageBudgetBytes(474 * MIB, 290 * MIB)).toBe(8 * MIB);
  });
});
