import { GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '@flux-capacitor/aws';
import { Queues } from '@flux-capacitor/contracts';
import type { Command } from 'commander';
import { cliEnv } from '../cli-env';
import { withExamples } from '../help-example';
import { printResult, renderTable, type GlobalOptions } from '../output';
import { call, fluxClient, hasService, serviceUrl, type ServiceKey } from '../flux-api';
import { formatDuration } from './replay.command';

/** What `GET /v1/streams/:stream/shards` of the archiver answers (see the archiver API). */
export interface ShardStatus {
  shardId: string;
  owner: string | null;
  leaseExpiresAt: string | null;
  checkpointSequence: string | null;
  millisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  statusUpdatedAt: string | null;
  atRisk: boolean;
}

export interface StreamStatus {
  stream: string;
  retentionHours: number | null;
  shards: ShardStatus[];
}

export interface ServiceHealth {
  service: string;
  url: string;
  status: 'ok' | 'down' | 'unreachable';
  detail?: string;
}

export interface StatusReport {
  services: ServiceHealth[];
  /** null without FLUX_ARCHIVER_URL */
  streams: StreamStatus[] | null;
  /** why the archiver's streams could not be read */
  streamsError?: string;
  /** null without SQS settings */
  deadLetterQueues: { queue: string; messages: number | null; error?: string }[] | null;
}

const SERVICE_KEYS: [ServiceKey, string][] = [
  ['archiver', 'archiver'],
  ['catalog', 'catalog'],
  ['query', 'query-gateway'],
  ['replay', 'replay-coordinator'],
];

async function health(key: ServiceKey, name: string): Promise<ServiceHealth | undefined> {
  const url = serviceUrl(key)?.replace(/\/+$/, '');
  if (!url) return undefined;
  // A probe, not an API call: one short try, no retries, and a 503 is an answer (which dependencies are down).
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
    const body = (await res.json().catch(() => ({}))) as { error?: Record<string, { message?: string }> };
    if (res.ok) return { service: name, url, status: 'ok' };
    const failing = Object.entries(body.error ?? {}).map(([dep, v]) => (v?.message ? `${dep}: ${v.message}` : dep));
    return { service: name, url, status: 'down', detail: failing.join('; ') || `HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause;
    return { service: name, url, status: 'unreachable', detail: cause?.code ?? (err instanceof Error ? err.message : String(err)) };
  }
}

async function archiverStreams(): Promise<Pick<StatusReport, 'streams' | 'streamsError'>> {
  if (!hasService('archiver')) return { streams: null };
  const archiver = fluxClient().archiver;
  try {
    const { streams } = await call('archiver', archiver.GET('/v1/streams'));
    return {
      streams: await Promise.all(
        streams.map(async (s) => (await call('archiver', archiver.GET('/v1/streams/{stream}/shards', { params: { path: { stream: s.stream } } }))) as StreamStatus),
      ),
    };
  } catch (err) {
    return { streams: null, streamsError: err instanceof Error ? err.message : String(err) };
  }
}

async function deadLetterDepths(): Promise<StatusReport['deadLetterQueues']> {
  const settings = cliEnv.sqs;
  if (!settings) return null;
  const sqs = createSqsClient({ region: settings.region, endpoints: { sqs: settings.endpoint }, s3ForcePathStyle: true });
  try {
    return await Promise.all(
      Object.values(Queues).map(async (queue) => {
        const name = `${settings.queuePrefix}${queue}-dlq`;
        try {
          const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
          const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
          return { queue: name, messages: Number(Attributes?.ApproximateNumberOfMessages ?? 0) };
        } catch (err) {
          const code = (err as { name?: string }).name;
          return { queue: name, messages: null, error: code === 'QueueDoesNotExist' || code === 'AWS.SimpleQueueService.NonExistentQueue' ? 'does not exist' : (err as Error).message };
        }
      }),
    );
  } finally {
    sqs.destroy();
  }
}

export async function collectStatus(): Promise<StatusReport> {
  const [services, streams, deadLetterQueues] = await Promise.all([
    Promise.all(SERVICE_KEYS.map(([key, name]) => health(key, name))),
    archiverStreams(),
    deadLetterDepths(),
  ]);
  return { services: services.filter((s): s is ServiceHealth => s !== undefined), ...streams, deadLetterQueues };
}

const ms = (v: number | null) => (v === null ? '' : formatDuration(v / 1000));

/** `4s (0.1% of 24h)`: the age of the oldest record not yet archived against the stream's retention. */
export function ageVsRetention(ageMs: number | null, retentionHours: number | null): string {
  if (ageMs === null) return '';
  if (!retentionHours) return ms(ageMs);
  const share = (100 * ageMs) / (retentionHours * 3_600_000);
  return `${ms(ageMs)} (${share < 10 ? share.toFixed(1) : Math.round(share)}% of ${retentionHours}h)`;
}

export function renderStatusReport(report: StatusReport): string {
  const parts: string[] = [];
  parts.push(
    report.services.length
      ? renderTable(report.services.map((s) => ({ service: s.service, url: s.url, health: s.status, detail: s.detail })))
      : 'no service URL is set (FLUX_ARCHIVER_URL, FLUX_CATALOG_URL, FLUX_QUERY_URL, FLUX_REPLAY_URL); source .flux/dev.env',
  );
  if (report.streamsError) parts.push(`archiver streams: ${report.streamsError}`);
  for (const stream of report.streams ?? []) {
    const atRisk = stream.shards.filter((s) => s.atRisk).length;
    const retention = stream.retentionHours === null ? 'unknown retention' : `retention ${stream.retentionHours}h`;
    parts.push(
      `stream ${stream.stream}: ${stream.shards.length} shard(s), ${retention}${atRisk ? `; ${atRisk} AT RISK (oldest unarchived record older than half the retention)` : ''}\n` +
        renderTable(
          stream.shards.map((s) => ({
            shard: s.shardId,
            owner: s.owner,
            lag: ms(s.millisBehindLatest),
            oldest_unarchived: ageVsRetention(s.oldestUnarchivedAgeMs, stream.retentionHours),
            at_risk: s.atRisk ? 'yes' : 'no',
            updated: s.statusUpdatedAt,
          })),
          ['shard', 'owner', 'lag', 'oldest_unarchived', 'at_risk', 'updated'],
        ),
    );
  }
  if (report.deadLetterQueues)
    parts.push(renderTable(report.deadLetterQueues.map((q) => ({ dead_letter_queue: q.queue, messages: q.messages ?? q.error }))));
  return parts.join('\n\n');
}

/**
 * 1 when something needs attention, so scripts and health checks can act on it: a service is not healthy, the
 * archiver's streams could not be read, or a shard is at risk; 0 otherwise. Dead-letter depths only inform.
 */
export function statusExitCode(report: StatusReport): 0 | 1 {
  const atRisk = (report.streams ?? []).some((s) => s.shards.some((shard) => shard.atRisk));
  return report.services.some((s) => s.status !== 'ok') || report.streamsError !== undefined || atRisk ? 1 : 0;
}

export function registerStatusCommand(program: Command): void {
  withExamples(
    program
      .command('status')
      .description(
        "The system at a glance: each service's /health, per archived stream the archiver's lag and the age of the oldest unarchived record against the retention (FLUX_ARCHIVER_URL), and the dead-letter queue depths (when SQS settings are present). Exits 1 when a service is unhealthy or unreachable, the archiver's streams cannot be read, or a shard is at risk",
      )
      .action(async (_flags: unknown, cmd: Command) => {
        const report = await collectStatus();
        printResult(report, cmd.optsWithGlobals<GlobalOptions>(), renderStatusReport);
        // The report is printed in full either way; only the exit code tells a script it is not all well.
        process.exitCode = statusExitCode(report);
      }),
    'fluxcap status',
    'fluxcap status --json | jq ".streams[].shards[] | select(.atRisk)"',
  );
}
