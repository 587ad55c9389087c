import { createKinesisClient } from '@flux-capacitor/aws';
import { loadConfig } from '@flux-capacitor/config';
import { migrate } from '@flux-capacitor/persistence';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '@flux-capacitor/service-kit';
import { freePort, spawnService, waitUntilHealthy, type RunningService } from '@flux-capacitor/local-stack';
import { Logger } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { Client } from 'pg';
import { rebuildStreamCatalogs } from '../catalog-rebuild';
import { cliEnv } from '../cli-env';
import { CliError } from '../cli-error';
import { ensureConsoleBuilt } from '../console-build';
import { devEnvFile, stackOptions, startDevStack, untilSignal, type StackFlags } from '../dev-stack';
import { startDevDemo } from '../demo-orders';
import { withExamples } from '../help-example';
import { ensureStream, streamExists } from '../kinesis-stream';
import { colorEnabled } from '../terminal';
import { FLUX_DIR, WORKSPACE_ROOT, writeEnvFile } from '../workspace';

/** The stream `fluxcap produce` and the README walkthrough use. */
export const DEV_STREAM = 'orders';
/** An empty stream to replay into in the walkthrough, so a first replay never touches the demo stream itself. */
export const DEV_REPLAY_STREAM = 'orders-replay';

const pick = (env: NodeJS.ProcessEnv, keys: string[]) => Object.fromEntries(keys.filter((k) => env[k]).map((k) => [k, env[k] as string]));

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO ', 40: 'WARN ', 50: 'ERROR', 60: 'FATAL' };
const COLORS = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m'];

/** Turns a service's JSON log line into `12:00:01 catalog  INFO  message`, keeping non-JSON lines as they are. */
export function formatLogLine(service: string, line: string, color = ''): string {
  const reset = color ? '\x1b[0m' : '';
  const name = `${color}${service.padEnd(18)}${reset}`;
  try {
    const entry = JSON.parse(line) as { level?: number; time?: number; msg?: string; err?: { message?: string }; error?: unknown };
    const time = new Date(entry.time ?? Date.now()).toISOString().slice(11, 19);
    const reason = entry.err?.message ?? (typeof entry.error === 'string' ? entry.error : undefined);
    const extra = reason ? ` (${reason})` : '';
    return `${time} ${name} ${LEVELS[entry.level ?? 30] ?? 'INFO '} ${entry.msg ?? ''}${extra}`;
  } catch {
    return `${new Date().toISOString().slice(11, 19)} ${name} ${line}`;
  }
}

/** What the services need for the console: its public URLs of the other services, and CORS for its origin. */
export function consoleEnv(urls: Record<string, string>, consoleUrl: string): Record<string, string> {
  const env: Record<string, string> = { FLUX_API_CORS_ORIGINS: new URL(consoleUrl).origin };
  if (urls.FLUX_CATALOG_URL) env.FLUX_CONSOLE_CATALOG_URL = urls.FLUX_CATALOG_URL;
  if (urls.FLUX_REPLAY_URL) env.FLUX_CONSOLE_REPLAY_URL = urls.FLUX_REPLAY_URL;
  if (urls.FLUX_ARCHIVER_URL) env.FLUX_CONSOLE_ARCHIVER_URL = urls.FLUX_ARCHIVER_URL;
  return env;
}

/**
 * Whether the database holds archiver checkpoints or catalogued objects of `stream`: when the stream itself is gone
 * from Kinesis, they point into records that no longer exist.
 */
async function hasArchiveState(databaseUrl: string, stream: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ found: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM archiver_shard_lease WHERE stream_name = $1) OR EXISTS (SELECT 1 FROM catalog_object WHERE stream = $1) AS found',
      [stream],
    );
    return rows[0]?.found === true;
  } finally {
    await client.end();
  }
}

export function registerDevCommand(program: Command): void {
  stackOptions(
    withExamples(
      program
        .command('dev')
        .description('Run the whole system locally: the stack, migrations and all four services, with interleaved logs')
        .option('--services <names>', `comma-separated subset of ${SERVICE_NAMES.join(',')}`)
        .option('--no-demo', `do not write demo order events into ${DEV_STREAM} (a few per second, on by default)`),
      'npm start   # = fluxcap dev',
      'fluxcap dev --no-demo --random-ports',
    ),
  ).action(async (flags: StackFlags & { services?: string; demo: boolean }) => {
    const wanted = (flags.services?.split(',').map((s) => s.trim()) ?? SERVICE_NAMES) as ServiceName[];
    const unknown = wanted.filter((s) => !SERVICE_NAMES.includes(s));
    if (unknown.length) throw new CliError(`unknown service(s): ${unknown.join(', ')}`);
    const started = Date.now();
    const say = (line: string) => process.stdout.write(`${formatLogLine('fluxcap', JSON.stringify({ msg: line }))}\n`);

    const stack = await startDevStack(flags, (line) => say(line));
    const children = new Map<ServiceName, RunningService>();
    let stopping = false;
    const demo = new AbortController();
    const shutdown = async (code: number) => {
      if (stopping) return;
      stopping = true;
      demo.abort();
      say('stopping services and the stack');
      await Promise.all([...children.values()].map((c) => c.stop(30_000)));
      await stack.stop();
      process.exit(code);
    };
    try {
      say(`stack ready: kinesis ${stack.endpoints.kinesis}, sqs ${stack.endpoints.sqs}, s3 ${stack.endpoints.s3}, postgres ${stack.endpoints.postgres}`);
      const applied = await migrate(stack.endpoints.databaseUrl);
      say(`migrations: ${applied.length ? applied.join(', ') : 'up to date'}`);
      const dataDir = resolve(flags.dataDir ?? FLUX_DIR);
      if (!cliEnv.all.FLUX_ARCHIVER_STREAMS) {
        // The archiver reports a stream that does not exist as down on /health, and dev waits for every service to
        // be healthy: create the (empty) demo stream it archives by default, as `fluxcap produce` would. On a restart
        // kinesalite has them already (kept in the data dir).
        const kinesis = createKinesisClient({ region: stack.endpoints.region, endpoints: { kinesis: stack.endpoints.kinesis }, s3ForcePathStyle: true });
        try {
          for (const stream of [DEV_STREAM, DEV_REPLAY_STREAM]) {
            const exists = await streamExists(kinesis, stream);
            // A new stream under an old archive: its checkpoints and the catalog's live-tail positions name sequence
            // numbers the new stream does not have, so the archiver and every query of it would fail. Say how to reset.
            if (!exists && (await hasArchiveState(stack.endpoints.databaseUrl, stream))) {
              throw new CliError(
                `Kinesis stream ${stream} is gone but ${dataDir} still holds its archive and checkpoints` +
                  (flags.kinesis === 'kinesis-local' ? ' (kinesis-local keeps no data across restarts)' : '') +
                  `; delete ${dataDir} (and the ${flags.database} database when DATABASE_URL is set) to start afresh`,
              );
            }
            if (!exists && (await ensureStream(kinesis, stream, 2))) say(`created Kinesis stream ${stream}`);
          }
        } finally {
          kinesis.destroy();
        }
      }

      const token = randomBytes(24).toString('hex');
      const env: Record<string, string> = {
        // A development default: archive the demo stream (`fluxcap produce --stream orders`) and flush often, so
        // what you produce shows up in the archive within seconds. Your own settings win.
        FLUX_ARCHIVER_STREAMS: DEV_STREAM,
        FLUX_BUFFER_INTERVAL_SECONDS: '10',
        // Shorter long polls: a consumer finishes its current poll before it stops, so Ctrl-C is quicker.
        FLUX_SQS_WAIT_SECONDS: '5',
        // The same lease owner on every start over this data dir: after a kill -9 the archiver re-claims its shards at
        // once instead of waiting out the dead instance's leases (FLUX_LEASE_DURATION_SECONDS).

        // Work folders under this stack's data dir: a gateway empties its object cache at start, so two stacks
        // sharing the repository's `.flux/query` would delete each other's cached archive objects mid-query.
        FLUX_QUERY_WORK_DIR: join(dataDir, 'query'),
        FLUX_REPLAY_WORK_DIR: join(dataDir, 'replay'),
        ...pick(cliEnv.all, ['FLUX_ARCHIVER_STREAMS', 'FLUX_BUFFER_INTERVAL_SECONDS', 'FLUX_SQS_WAIT_SECONDS', 'FLUX_ARCHIVER_WORKER_ID', 'FLUX_QUERY_WORK_DIR', 'FLUX_REPLAY_WORK_DIR']),
        ...stack.env,
        FLUX_API_TOKENS: `${token}:admin+query+replay`,
        FLUX_API_TOKEN: token,
      };
      const ports = new Map<ServiceName, number>();
      for (const service of wanted) ports.set(service, flags.randomPorts ? await freePort() : SERVICES[service].defaultPort);
      const urls = Object.fromEntries(wanted.map((s) => [SERVICES[s].urlVariable, `http://127.0.0.1:${ports.get(s)}`]));
      // The gateway's PostgreSQL endpoint (docs/pgwire.md): on a free port unless FLUX_PG_PORT says which.
      if (wanted.includes('query-gateway')) {
        env.FLUX_PG_PORT = cliEnv.all.FLUX_PG_PORT ?? String(await freePort());
        urls.FLUX_PG_URL = `postgres://flux:${token}@127.0.0.1:${env.FLUX_PG_PORT}/flux`;
      }
      // The web console: served by the gateway, calling the other services from the browser (CORS for its origin).
      const consoleUrl = urls.FLUX_QUERY_URL as string | undefined;
      if (consoleUrl) {
        ensureConsoleBuilt(say);
        Object.assign(env, consoleEnv(urls, consoleUrl));
      }
      writeEnvFile(devEnvFile(flags), { ...env, ...urls, ...(consoleUrl ? { FLUX_CONSOLE_URL: consoleUrl } : {}) });
      // The same lease owner on every start over this data dir: after a kill -9 the archiver re-claims its shards at
      // once instead of waiting out the dead instance's leases (FLUX_LEASE_DURATION_SECONDS). The dev archiver's own
      // setting only, never dev.env's: a `fluxcap archive` started from a shell that sourced it would otherwise take
      // the dev archiver's leases as its own, and the two would take them from each other at every heartbeat.
      const archiverEnv = {
        FLUX_ARCHIVER_WORKER_ID: cliEnv.all.FLUX_ARCHIVER_WORKER_ID ?? `fluxcap-dev-${createHash('sha256').update(dataDir).digest('hex').slice(0, 12)}`,
      };

      // The SQS emulator keeps its queues in memory: announcements of archive objects the catalog had not received
      // when the stack last stopped are gone. Catalogue what the archive holds before the services start (quick when
      // nothing is missing), so queries (whose live tail starts after the catalog's last record) miss nothing.
      const archived = (env.FLUX_ARCHIVER_STREAMS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (archived.length) {
        Logger.overrideLogger(['warn', 'error']);
        // A failed catch-up (an unreadable object, the archive store away) is reported, never a reason not to start:
        // the catalog service catalogues what it is told from here on, and `fluxcap catalog rebuild` can be re-run.
        try {
          const reports = await rebuildStreamCatalogs(loadConfig({ ...cliEnv.all, ...env }), archived);
          for (const r of reports) if (r.listed) say(`catalog of ${r.stream}: ${r.listed} archive objects, ${r.added} catalogued now from the archive`);
        } catch (err) {
          say(`warning: catching the catalog up with the archive failed (${(err as Error).message}); starting anyway, run \`fluxcap catalog rebuild\` to retry`);
        }
      }

      wanted.forEach((service, i) => {
        const color = colorEnabled(process.stdout) ? COLORS[i % COLORS.length] : '';
        const running = spawnService(service, {
          env: { ...cliEnv.all, ...env, ...(service === 'archiver' ? archiverEnv : {}), LOG_FORMAT: 'json', SWC_NODE_PROJECT: join(WORKSPACE_ROOT, 'tsconfig.base.json') },
          port: ports.get(service) as number,
          onLine: (l) => process.stdout.write(`${formatLogLine(service, l, color)}\n`),
        });
        running.child.once('exit', (code, signal) => {
          if (!stopping) {
            say(`${service} exited (${signal ?? code}); stopping everything`);
            void shutdown(1);
          }
        });
        children.set(service, running);
      });
      process.once('SIGINT', () => void shutdown(0));
      process.once('SIGTERM', () => void shutdown(0));

      await Promise.all(
        [...children.values()].map(async (running) => {
          await waitUntilHealthy(running, 60_000);
          say(`${running.service} ready at ${running.url}`);
        }),
      );
      if (flags.demo) startDevDemo(stack.endpoints, DEV_STREAM, demo.signal, say, join(dataDir, 'demo-orders.json'));
      if (urls.FLUX_PG_URL) say(`PostgreSQL endpoint: psql "$FLUX_PG_URL" (port ${env.FLUX_PG_PORT})`);
      say(`all services ready in ${((Date.now() - started) / 1000).toFixed(1)} s; settings in ${devEnvFile(flags)} (source it to use fluxcap against them)`);
      if (consoleUrl) say(`console ready at ${consoleUrl}/#token=${token}`);
      await untilSignal();
    } catch (err) {
      say(err instanceof Error ? err.message : String(err));
      await shutdown(1);
    }
  });
}
