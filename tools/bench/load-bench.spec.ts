import { getStack } from '@flux-capacitor/testing';
import { runBench } from './run-bench';

describe('npm run bench:load (smoke, tiny size)', () => {
  it('runs the four phases with no 5xx and prints their ratios, the 429s, the fairness and the gateway peak RSS', async () => {
    // the suite's Postgres, so the benchmark does not start an embedded one; it starts its own emulators
    const run = await runBench(
      'load-bench.ts',
      ['--records', '2000', '--shards', '1', '--hours', '2', '--seconds', '2', '--clients', '3', '--abusers', '2', '--timeout', '3000'],
      { DATABASE_URL: getStack().adminDatabaseUrl },
    );
    expect(run.code, run.stderr).toBe(0);
    const ratio = String.raw`\d+\.\d\d`;
    expect(run.stdout).toMatch(new RegExp(String.raw`^single client \(baseline\)\s+1\s+\d+\s+1\.00\s+1\.00\s+1\.00\s+0 \(0 of 0\)\s+0\s*$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(String.raw`^load: 3 well-behaved tokens\s+3\s+\d+\s+${ratio}\s+${ratio}\s+${ratio}\s+\d+ \(0 of 0\)\s+0\s*$`, 'm'));
    // the abusive token submitted at least once in each phase it ran in
    expect(run.stdout).toMatch(new RegExp(String.raw`^load \+ abusive token\s+5\s+\d+\s+${ratio}\s+${ratio}\s+${ratio}\s+\d+ \(\d+ of [1-9]\d*\)\s+0\s*$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(String.raw`^load \+ abusive token, no per-token limit\s+5\s+\d+\s+${ratio}\s+${ratio}\s+${ratio}\s+\d+ \(\d+ of [1-9]\d*\)\s+0\s*$`, 'm'));
    expect(run.stdout).toMatch(
      new RegExp(String.raw`^fairness \(well-behaved, with the abusive token / without it\): p99 ${ratio}, throughput ${ratio} with the per-token limit; p99 ${ratio}, throughput ${ratio} without it$`, 'm'),
    );
    expect(run.stdout).toMatch(/^gateway peak RSS: [\d.]+ MB \(without the per-token limit: [\d.]+ MB\)/m);
    expect(run.stdout).toMatch(/^5xx answers: 0 ok$/m);
  }, 240_000);
});
