import { getStack } from '@flux-capacitor/testing';
import { runBench } from './run-bench';

// Tiny runs of the benchmarks the README shows, so a change that breaks one fails the suite. No timing assertions:
// only that each completes and prints its figures. bench:archiver and bench:replay have their own files.
describe('benchmarks (smoke, tiny size)', () => {
  it('npm run bench:query completes and prints each query against its baseline, the JSON guard ratio, the field-column comparisons of issue 13, the sizes and the gateway peak RSS', async () => {
    // the suite's Postgres, so the benchmark does not start an embedded one; it starts its own emulators
    const run = await runBench('query-bench.ts', ['--records', '2000', '--runs', '1', '--hours', '2'], { DATABASE_URL: getStack().adminDatabaseUrl });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^scan: group-by on a JSON field, gateway vs DuckDB directly\s+5\s+\d+\.\d\d \(\d+\.\d\d\)\s+\d+\.\d\d\s+<= 1\.25/m);
    expect(run.stdout).toMatch(/^JSON guard: the gateway scan vs unguarded decode\(data\)->> on layout 1\s+5\s+\d+\.\d\d \(\d+\.\d\d\)\s+\d+\.\d\d\s+<= 1\.1/m);
    expect(run.stdout).toMatch(/^point lookup by partition key\s/m);
    expect(run.stdout).toMatch(/^archive size, layout 2 as the archiver writes it vs layout 1: \d+\.\d{3}/m);
    expect(run.stdout).toMatch(/^field columns: JSON group-by, gateway vs DuckDB directly on the columns\s+5\s/m);
    // issue 13: field columns against today's layout, same SQL through the gateway
    expect(run.stdout).toMatch(/^field columns: JSON group-by, with vs without \(gateway both\)\s+5\s+\d+\.\d\d \(\d+\.\d\d\)\s+\d+\.\d\d\s+<= 0\.1 \(10x faster\)/m);
    expect(run.stdout).toMatch(/^field columns: lookup by a JSON field, with vs without \(gateway both\)\s+\d+\s/m);
    expect(run.stdout).toMatch(/^field columns, compacted hours: lookup by partition key, vs today \(gateway both\)\s/m);
    expect(run.stdout).toMatch(/^compaction: 2 objects into 2 in [\d.]+ s, [\d.]+x the time writing them took/m);
    // and cold: a second gateway that keeps no idle instance
    expect(run.stdout).toMatch(/^field columns: the same, every query cold \(FLUX_QUERY_IDLE_INSTANCES=0\)\s+5\s+\d+\.\d\d/m);
    expect(run.stdout).toMatch(/^the same, every query cold \(FLUX_QUERY_IDLE_INSTANCES=0\)\s+\d+\s+\d+\.\d\d/m);
    expect(run.stdout).toMatch(/^archive size, layout 2 with field columns vs without: \d+\.\d{3}/m);
    expect(run.stdout).toMatch(/^gateway peak RSS: [\d.]+ MB/m);
  }, 180_000);
});
