import { getStack } from '@flux-capacitor/testing';
import { runBench } from './run-bench';

// A tiny run of both scenarios, as `npm run bench:archiver` runs them, so that a change that breaks the benchmark
// fails the suite. No timing assertions: only that every figure is printed and the exactly-once checks pass.
describe('npm run bench:archiver (smoke, tiny size)', () => {
  it('runs deep and wide, prints their figures against their baselines, and finds every record archived once', async () => {
    const run = await runBench('archiver-bench.ts', ['--records', '2000', '--shards', '4', '--rounds', '2', '--wide-shards', '4', '--rate', '10', '--seconds', '4', '--interval', '1'], {
      // the suite's Postgres, so the benchmark does not start an embedded one; it starts its own emulators
      DATABASE_URL: getStack().adminDatabaseUrl,
    });
    expect(run.stderr).not.toContain('bench:archiver failed');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toMatch(/^archiver benchmark: scenario all, default buffering settings \(/m);

    // deep: the plain loop, the archiver (CPU net of start-up), their ratio, CPU per MiB, peak RSS, archive size
    expect(out).toMatch(/^== deep: 2,000 records of ~1024 B on 4 shards/m);
    expect(out).toMatch(/^\(a\) plain GetRecords loop: [\d,]+ records\/s \([\d.]+ s\), CPU [\d.]+ s = [\d.]+ ms\/MiB$/m);
    // what the endpoints (kinesalite, s3rver) spent and how busy they were, as they share the machine's cores
    for (const run of ['a', 'b', 'c']) {
      expect(out).toMatch(new RegExp(`^endpoints during \\(${run}\\): kinesalite [\\d.]+ ms/MiB, busy \\d+ % of the run; s3rver [\\d.]+ ms/MiB, busy \\d+ %$`, 'm'));
    }
    expect(out).toMatch(/^\(b\) archiver to durable objects: [\d,]+ records\/s \([\d.]+ s; [\d.]+ s with process start-up\), CPU [\d.]+ s = [\d.]+ ms\/MiB \([\d.]+ s less [\d.]+ s for start-up/m);
    // the catalog's inference measures `note` (~900 B of text a record): no column for it
    expect(out).toMatch(
      /^field columns: 5 per object \(payload__amount, payload__at, payload__customer, payload__id, payload__type\), chosen from the stream's catalog schema; none for long text: note \(mean \d+ B\)$/m,
    );
    expect(out).toMatch(/^ratio \(b\)\/\(a\): \d+\.\d\d \(round 1 of 2; the goal is judged on the fastest runs, below\), field columns on$/m);
    expect(out).not.toMatch(/^field columns in the objects: .*FAILED$/m);
    expect(out).toMatch(/^CPU per MiB of records: archiver [\d.]+ ms, plain loop [\d.]+ ms/m);
    expect(out).toMatch(/^archiver peak RSS: [\d.]+ MiB \(goal <= 400 MiB at default settings: (ok|MISSED)\)$/m);
    expect(out).toMatch(/^archive [\d.]+ MiB vs raw [\d.]+ MiB \([\d.]+ %\), \d+ objects$/m);
    expect(out).toMatch(/^exactly once: 2,000 rows, 2,000 distinct records of 2,000 produced: ok$/m);
    // the same drain with field columns off, in the same run: its rate, CPU, RSS and the on/off comparison
    expect(out).toMatch(/^\(c\) the same, field columns off: [\d,]+ records\/s \([\d.]+ s\), CPU [\d.]+ s = [\d.]+ ms\/MiB, peak RSS [\d.]+ MiB$/m);
    expect(out).toMatch(/^ratio \(c\)\/\(a\): \d+\.\d\d; field columns on against off: drain rate \d+\.\d\d, CPU per MiB \d+\.\d\dx \(one run each, on first\)$/m);
    expect(out).toMatch(/^exactly once \(c\): 2,000 rows, 2,000 distinct records of 2,000 produced: ok$/m);
    // a second round of (a) and (b), alternated; the goal on the fastest of each
    expect(out).toMatch(/^round 2: \(a\) [\d,]+ records\/s, \(b\) [\d,]+ records\/s, ratio \d+\.\d\d$/m);
    expect(out).toMatch(/^exactly once \(round 2\): 2,000 rows, 2,000 distinct records of 2,000 produced: ok$/m);
    expect(out).toMatch(/^ratio \(b\)\/\(a\), fastest of 2 rounds: \d+\.\d\d \([\d,]+ records\/s vs [\d,]+ records\/s; goal >= 0\.95: (ok|MISSED)\), field columns on$/m);

    // wide: one row per object scope (objects, objects per hour, shards per object, peak RSS, CPU), their ratio
    expect(out).toMatch(/^== wide: 4 shards x 10 records\/s \(40 records\/s\) of ~1024 B for 4 s, FLUX_BUFFER_INTERVAL_SECONDS=1;/m);
    expect(out).toMatch(/^produced {3}160 records per stream/m);
    for (const scope of ['shard', 'stream']) {
      expect(out).toMatch(new RegExp(`^${scope}\\s+\\d+\\s+[\\d,]+\\s+\\d+\\.\\d\\s+[\\d.]+ MiB\\s+[\\d.]+ s\\s+`, 'm'));
      expect(out).toMatch(new RegExp(`^exactly once \\(${scope}\\): 160 rows, 160 distinct records of 160 produced: ok$`, 'm'));
    }
    expect(out).toMatch(/^objects shard\/stream: \d+\.\dx \(goal >= 10x: (ok|MISSED)\)$/m);
  }, 300_000);
});
