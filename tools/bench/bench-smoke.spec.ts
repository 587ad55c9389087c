import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { getStack } from '@flux-capacitor/testing';

const ROOT = join(__dirname, '../..');

/** Runs a benchmark script as its npm script does, with arguments; resolves with its exit code and output. */
function runBench(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', `tools/bench/${script}`, ...args], {
      cwd: ROOT,
      // the suite's Postgres, so the benchmark does not start an embedded one; it starts its own emulators
      env: { ...process.env, DATABASE_URL: getStack().adminDatabaseUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// Tiny runs of the benchmarks the README shows, so a change that breaks one fails the suite. No timing assertions:
// only that each completes and prints its figures. bench:archiver and bench:replay have their own files.
describe('benchmarks (smoke, tiny size)', () => {
  it('npm run bench:query completes and prints each query against its baseline, the JSON guard ratio, the size against the old layout and the gateway peak RSS', async () => {
    const run = await runBench('query-bench.ts', ['--records', '2000', '--runs', '1', '--hours', '2']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^scan: group-by on a JSON field, gateway vs DuckDB directly\s+5\s+\d+\.\d\d \(\d+\.\d\d\)\s+\d+\.\d\d\s+<= 1\.25/m);
    expect(run.stdout).toMatch(/^JSON guard: the gateway scan vs unguarded decode\(data\)->> on layout 1\s+5\s+\d+\.\d\d \(\d+\.\d\d\)\s+\d+\.\d\d\s+<= 1\.1/m);
    expect(run.stdout).toMatch(/^point lookup by partition key\s/m);
    expect(run.stdout).toMatch(/^archive size, layout 2 vs layout 1: \d+\.\d{3}/m);
    expect(run.stdout).toMatch(/^gateway peak RSS: [\d.]+ MB/m);
  }, 180_000);
});
