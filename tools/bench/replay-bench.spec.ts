import { getStack } from '@flux-capacitor/testing';
import { runBench } from './run-bench';

describe('npm run bench:replay (smoke, tiny size)', () => {
  it('completes a compacted replay at both sizes and prints the put ratio, the planning ratio and peak RSS', async () => {
    // the suite's Postgres, so the benchmark does not start an embedded one; it starts its own emulators
    const run = await runBench('replay-bench.ts', ['--records', '2000', '--keys', '200', '--hours', '2'], { DATABASE_URL: getStack().adminDatabaseUrl });
    expect(run.stderr).not.toContain('bench:replay failed');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    // three tables (put rate, planning, peak RSS), each with one row per size
    const rows = (label: string) => lines.filter((l) => l.startsWith(`${label} `));
    expect(lines.filter((l) => l.startsWith('size '))).toEqual([
      expect.stringMatching(/ceiling.*replay.*put ratio.*target/),
      expect.stringMatching(/planner.*direct.*plan ratio.*target/),
      expect.stringMatching(/peak plan.*peak write/),
    ]);
    for (const [label, records, keys] of [['quarter', '500', '50'], ['full', '2,000', '200']]) {
      const [put, plan, peak] = rows(label);
      expect(put).toMatch(new RegExp(`^${label}\\s+${records}\\s+${keys}\\s+\\d+ .*\\s\\d+\\.\\d\\d\\s+>= 0\\.9 (ok|MISSED)`));
      expect(plan).toMatch(/\s\d+\.\d\d\s+<= 1\.2 (ok|MISSED)/);
      expect(peak).toMatch(/\d+ MiB\s+\d+ MiB\s+\d+ MiB\s+\d+ MiB$/);
    }
    expect(run.stdout).toMatch(/full vs quarter size: peak plan \d+\.\d\dx, peak write \d+\.\d\dx for 4x the archive/);
  }, 180_000);
});
