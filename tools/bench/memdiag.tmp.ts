import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStreamCommand, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { startLocalStack, waitForStreamActive } from '@flux-capacitor/local-stack';
import { migrate } from '@flux-capacitor/persistence';
import { randomBytes } from 'node:crypto';

const N = Number(process.argv[2] ?? 200000);
const extra = JSON.parse(process.argv[3] ?? '{}');
const ROOT = '/work/main';
async function main() {
  const dataDir = mkdtempSync(join(tmpdir(), 'memdiag-'));
  const stack = await startLocalStack({ dataDir, databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres', database: `memdiag_${process.pid}`, buckets: ['flux-bench'] });
  try {
    const env = { ...stack.env, FLUX_ARCHIVE_URI: 's3://flux-bench/archive', FLUX_SQS_QUEUE_PREFIX: `md${process.pid}-`, FLUX_ARCHIVER_TEMP_DIR: join(dataDir, 'tmp'), LOG_LEVEL: 'debug', ...extra };
    const config = loadConfig(env);
    await migrate(config.database.url);
    const kinesis = createKinesisClient(config.aws);
    const stream = 'md';
    await kinesis.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 4 }));
    await waitForStreamActive(kinesis, stream);
    let next = 0;
    const t0 = Date.now();
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < N) {
        const from = next; next = Math.min(N, from + 500);
        let entries = Array.from({ length: next - from }, (_, j) => ({ PartitionKey: `k-${from + j}`, Data: Buffer.from(JSON.stringify({ id: from + j, note: randomBytes(480).toString('hex') })) }));
        while (entries.length) { const out = await kinesis.send(new PutRecordsCommand({ StreamName: stream, Records: entries })); entries = entries.filter((_, j) => out.Records?.[j]?.ErrorCode); }
      }
    }));
    console.log(`produced ${N} in ${Date.now() - t0} ms`);
    const child = spawn(process.execPath, [join(ROOT, 'apps/cli/bin/fluxcap.js'), 'archive', '--stream', stream, '--once', '--json'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d: Buffer) => { for (const line of d.toString().split('\n')) if (line.includes('memory (MiB)') || line.includes('"level":"error"') || line.includes('committed')) process.stdout.write(line.replace(/.*"msg":/, '').slice(0, 220) + '\n'); });
    const peak = { v: 0 };
    const poll = setInterval(() => { try { const m = /VmHWM:\s+(\d+)/.exec(require('node:fs').readFileSync(`/proc/${child.pid}/status`, 'utf8')); if (m) peak.v = Number(m[1]) / 1024; } catch {} }, 100);
    await new Promise((r) => child.on('exit', r));
    clearInterval(poll);
    console.log(out.slice(0, 300));
    console.log(`peak RSS ${peak.v.toFixed(0)} MiB`);
    kinesis.destroy();
  } finally { await stack.stop(); }
}
main().catch((e) => { console.error(e); process.exit(1); });
