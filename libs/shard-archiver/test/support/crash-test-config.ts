/**
 * Size of the kill -9 crash test. The defaults fit CI (a few minutes on 2 cores); raise them locally:
 * FLUX_CRASH_RECORDS=1000000 FLUX_CRASH_KILLS=50 npx vitest run libs/shard-archiver/test/integration/crash-recovery.spec.ts
 * (the only environment this test reads; the archiver itself reads its settings through loadConfig).
 */
function int(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be a whole number >= ${min}`);
  return n;
}

export const crashTestConfig = {
  /** User records produced (including those inside KPL aggregates). */
  records: int('FLUX_CRASH_RECORDS', 100_000, 1_000),
  /** kill -9 of the archiver process while it works. */
  kills: int('FLUX_CRASH_KILLS', 20, 1),
  /** Longest time an archiver process works before it is killed, ms (each is random up to this). */
  maxLifeMs: int('FLUX_CRASH_MAX_LIFE_MS', 6_000, 200),
};
