import { Presets, SingleBar } from 'cli-progress';
import { Option, type Command } from 'commander';
import { cliEnv } from '../cli-env';
import { asUsage, CliError, UsageError } from '../cli-error';
import { withExamples } from '../help-example';
import { interactiveStderr } from '../terminal';
import { printResult, renderTable, type GlobalOptions } from '../output';
import { REPLAY_STATES, ReplayClient, pause, type CreateReplayRequest, type ReplayAuditEntry, type ReplayPage, type ReplayState, type ReplayView } from '../replay-client';

/** How often --wait / --watch ask the coordinator: often enough for a live bar, rare enough to stay polite. */
const POLL_MS = 500;
/** Without a TTY, one progress line at most this often (logs stay readable). */
const LINE_EVERY_MS = 5_000;

/** The flags of `fluxcap replay start`, as commander hands them over (numbers still as text, validated here). */
export interface StartFlags {
  source: string;
  target?: string;
  from?: string;
  until?: string;
  fromSequence?: string[];
  untilSequence?: string[];
  where?: string;
  compact?: string | boolean;
  tombstone?: string;
  dropDeletes?: boolean;
  annotate?: string[];
  rate?: string;
  pace?: string;
  reserve?: string;
  raw?: boolean;
  dryRun?: boolean;
  wait?: boolean;
}

const TIME_HELP = 'use an ISO time like 2026-11-30T12:00:00Z (UTC when no offset is given) or an age like 30m, 2h, 7d, 1h30m';
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A time flag as an ISO instant: an ISO date/time (read as UTC when it names no offset, like arrival_time is stored)
 * or an age before `now` (`2h`, `30m`, `7d`, `1h30m`, optionally followed by `ago`).
 */
export function parseTime(flag: string, input: string, now: Date): string {
  const text = input.trim();
  const bad = () => new CliError(`${flag}: "${input}" is not a time; ${TIME_HELP}`);
  if (/^now$/i.test(text)) return now.toISOString();
  const age = /^((?:\d+[smhdw])+)(?:\s*ago)?$/i.exec(text);
  if (age) {
    let seconds = 0;
    for (const [, n, unit] of age[1].toLowerCase().matchAll(/(\d+)([smhdw])/g)) seconds += Number(n) * UNIT_SECONDS[unit];
    const ms = now.getTime() - seconds * 1000;
    if (!Number.isFinite(ms) || ms < 0) throw bad();
    return new Date(ms).toISOString();
  }
  const iso = ISO.exec(text);
  if (!iso) throw bad();
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = iso;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  if (Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > daysInMonth || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) throw bad();
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac.slice(0, 4)}${offset}`);
  if (Number.isNaN(ms)) throw bad();
  return new Date(ms).toISOString();
}

function positiveNumber(flag: string, text: string, what: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new CliError(`${flag} takes ${what} > 0, got "${text}"`);
  return n;
}

/** Builds the `POST /v1/replays` body from the flags, refusing combinations the coordinator would reject anyway. */
/** `shardId-000000000001=4959...` pairs (repeatable flag) as the per-shard bound the API takes. */
function shardPositions(flag: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const m = /^([^=\s]+)=(\d{1,64})$/.exec(pair.trim());
    if (!m) throw new CliError(`${flag} takes SHARD=SEQUENCE_NUMBER (e.g. shardId-000000000001=49590338...), got "${pair}"`);
    if (m[1] in out) throw new CliError(`${flag} names ${m[1]} twice`);
    out[m[1]] = m[2];
  }
  return out;
}

export function buildStartRequest(flags: StartFlags, now: Date): CreateReplayRequest {
  const source = flags.source?.trim();
  if (!source) throw new CliError('--source needs the name of an archived stream');
  const request: CreateReplayRequest = { source, target: flags.target?.trim() || source };

  if (flags.from !== undefined) request.from = parseTime('--from', flags.from, now);
  if (flags.until !== undefined) request.until = parseTime('--until', flags.until, now);
  if (request.from && request.until && request.from > request.until) throw new CliError(`--from (${request.from}) is after --until (${request.until}); nothing would be replayed`);

  if (flags.fromSequence?.length) request.fromSequence = shardPositions('--from-sequence', flags.fromSequence);
  if (flags.untilSequence?.length) request.untilSequence = shardPositions('--until-sequence', flags.untilSequence);

  if (flags.where !== undefined) {
    if (!flags.where.trim()) throw new CliError('--where needs a SQL predicate, e.g. "(payload->>\'region\') = \'eu\'"');
    request.where = flags.where.trim();
  }

  if (flags.compact !== undefined && flags.compact !== false) {
    const key = typeof flags.compact === 'string' ? flags.compact.trim() : 'partition_key';
    if (!key) throw new CliError('--compact takes a key expression (e.g. "payload->>\'id\'") or nothing for partition_key');
    request.compact = { key, deletes: flags.dropDeletes ? 'drop' : 'replay' };
    if (flags.tombstone !== undefined) {
      if (!flags.tombstone.trim()) throw new CliError('--tombstone needs a SQL predicate, e.g. "length(data) = 0"');
      request.compact.tombstone = flags.tombstone.trim();
    }
  } else if (flags.tombstone !== undefined || flags.dropDeletes) {
    throw new CliError(`${flags.tombstone !== undefined ? '--tombstone' : '--drop-deletes'} only applies with --compact (keep the last record per key)`);
  }

  if (flags.annotate?.length) {
    const annotations: Record<string, string> = {};
    for (const pair of flags.annotate) {
      const eq = pair.indexOf('=');
      const key = eq > 0 ? pair.slice(0, eq).trim() : '';
      if (!key) throw new CliError(`--annotate takes key=value, got "${pair}"`);
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) throw new CliError(`--annotate: "${key}" is not an annotation name (letters, digits, _ . -, at most 64)`);
      if (key in annotations) throw new CliError(`--annotate names "${key}" twice`);
      annotations[key] = pair.slice(eq + 1);
    }
    // Annotations travel in the replay envelope; raw records are the original bytes alone.
    if (flags.raw) throw new CliError('--annotate needs the replay envelope: leave out --raw or the annotations');
    request.annotations = annotations;
  }

  if (flags.rate !== undefined && flags.pace !== undefined) {
    throw new CliError('--rate and --pace exclude each other: --rate caps records per second, --pace replays at a multiple of the original speed');
  }
  if (flags.reserve !== undefined && (flags.rate !== undefined || flags.pace !== undefined)) {
    throw new CliError('--reserve applies only to full speed (without --rate or --pace)');
  }
  if (flags.rate !== undefined) request.pace = { mode: 'rate', recordsPerSecond: positiveNumber('--rate', flags.rate, 'records per second') };
  else if (flags.pace !== undefined) request.pace = { mode: 'original', factor: positiveNumber('--pace', flags.pace, 'a speed factor (1 = as fast as the records first arrived)') };
  else if (flags.reserve !== undefined) {
    const reserve = Number(flags.reserve);
    if (flags.reserve.trim() === '' || !(reserve >= 0 && reserve <= 0.95)) {
      throw new CliError(`--reserve takes the share of the target's write capacity to leave free, from 0 to 0.95 (e.g. 0.2), got "${flags.reserve}"`);
    }
    request.pace = { mode: 'max', reserve };
  }

  request.format = flags.raw ? 'raw' : 'envelope';
  request.dryRun = Boolean(flags.dryRun);
  return request;
}

// ---- rendering (pure) ----

export const formatCount = (n: number) => Math.round(n).toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A duration in its two largest units: `42s`, `3m 05s`, `2h 03m`, `1d 04h`; `unknown` when there is none. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return 'unknown';
  const s = Math.round(seconds);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86_400)}d ${pad(Math.floor((s % 86_400) / 3600))}h`;
}

/** `1,234 / 10,000 put (12.3%), 0 failed, 500 rec/s, ETA 18s` */
export function formatProgress(view: Pick<ReplayView, 'state' | 'progress'>): string {
  const p = view.progress;
  const share = p.selected > 0 ? ` (${((100 * p.put) / p.selected).toFixed(1)}%)` : '';
  const eta = view.state === 'running' ? `, ETA ${formatDuration(p.etaSeconds)}` : '';
  return `${formatCount(p.put)} / ${formatCount(p.selected)} put${share}, ${formatCount(p.failed)} failed, ${formatCount(p.ratePerSecond)} rec/s${eta}`;
}

/** One bar per shard, scaled to the largest: a quick look at skew before replaying. */
export function renderHistogram(perShard: Record<string, number>, width = 30): string {
  const shards = Object.keys(perShard).sort();
  if (shards.length === 0) return '(no shards)';
  const max = Math.max(...shards.map((s) => perShard[s]));
  const nameWidth = Math.max(...shards.map((s) => s.length));
  const countWidth = Math.max(...shards.map((s) => formatCount(perShard[s]).length));
  return shards
    .map((s) => {
      const n = perShard[s];
      // A shard with any records gets at least one block, so it never looks empty.
      const len = max > 0 ? Math.max(n > 0 ? 1 : 0, Math.round((n / max) * width)) : 0;
      return `${s.padEnd(nameWidth)}  ${'█'.repeat(len).padEnd(width)}  ${formatCount(n).padStart(countWidth)}`;
    })
    .join('\n');
}

const arrow = (v: Pick<ReplayView, 'source' | 'target'>) => `${v.source} → ${v.target}`;
const indent = (text: string, by = '    ') => text.split('\n').map((l) => `${by}${l}`).join('\n');

/** The plan of a dry run (or of a replay that has been planned): what would be put, where from, how long. */
export function renderPlan(view: ReplayView): string {
  const plan = view.plan;
  if (!plan) return `replay ${view.id} ${view.state}: ${arrow(view)} (no plan yet)`;
  const lines = [
    `${view.dryRun ? 'dry run' : 'replay'} ${view.id} ${view.state}: ${arrow(view)}`,
    `  records           ${formatCount(plan.records)} (${formatBytes(plan.bytes)})`,
    `  distinct keys     ${formatCount(plan.distinctKeys)}`,
    `  archive objects   ${formatCount(plan.objects)}`,
    `  live records      ${formatCount(plan.liveRecords)} (not yet archived, read from the stream)`,
    `  estimated         ${formatDuration(plan.estimatedSeconds)}`,
    '  records per shard',
    indent(renderHistogram(plan.perShard)),
  ];
  if (plan.sample.length) {
    lines.push(`  sample (${plan.sample.length})`);
    const rows = plan.sample.map((r) => ({ shard: r.shardId, sequence: r.sequenceNumber, partition_key: r.partitionKey, arrival: r.arrivalTime, key: r.key, op: r.op, payload: r.payload }));
    lines.push(indent(renderTable(rows)));
  }
  if (view.error) lines.push(`  error             ${view.error.code}: ${view.error.message}`);
  return lines.join('\n');
}

/** What to do next with a replay in this state. */
function hint(view: ReplayView): string | undefined {
  if (view.state === 'running' || view.state === 'planning') return `follow: fluxcap replay status ${view.id} --watch   pause: fluxcap replay pause ${view.id}   cancel: fluxcap replay cancel ${view.id}`;
  if (view.state === 'paused') return `resume: fluxcap replay resume ${view.id}   cancel: fluxcap replay cancel ${view.id}`;
  return undefined;
}

export function renderStatus(view: ReplayView): string {
  if (view.dryRun && view.state === 'planned') return renderPlan(view);
  const p = view.progress;
  const lines = [
    `replay ${view.id} ${view.state}${view.dryRun ? ' (dry run)' : ''}: ${arrow(view)}`,
    `  progress  ${formatProgress(view)}`,
    `  bytes     ${formatBytes(p.bytesPut)} of ${formatBytes(p.bytesSelected)} put`,
    `  created   ${view.createdAt} by ${view.createdBy}`,
  ];
  if (view.startedAt) lines.push(`  started   ${view.startedAt}`);
  if (view.finishedAt) lines.push(`  finished  ${view.finishedAt}`);
  if (view.plan) lines.push(`  plan      ${formatCount(view.plan.records)} records over ${Object.keys(view.plan.perShard).length} shard(s), estimated ${formatDuration(view.plan.estimatedSeconds)}`);
  if (view.error) lines.push(`  error     ${view.error.code}: ${view.error.message}`);
  const next = hint(view);
  if (next) lines.push(`  ${next}`);
  return lines.join('\n');
}

export function renderList(page: ReplayPage): string {
  return renderTable(
    page.items.map((v) => ({ id: v.id, state: v.state, 'source→target': `${v.source}→${v.target}`, 'put/selected': `${formatCount(v.progress.put)}/${formatCount(v.progress.selected)}`, created: v.createdAt })),
    ['id', 'state', 'source→target', 'put/selected', 'created'],
  );
}

export function renderAudit(items: ReplayAuditEntry[]): string {
  return renderTable(items.map((e) => ({ at: e.at, actor: e.actor, action: e.action, detail: e.detail })), ['at', 'actor', 'action', 'detail']);
}

/** Whether waiting is over: a final state, or the plan of a dry run. A paused replay may still be resumed. */
export function isSettled(view: Pick<ReplayView, 'state' | 'dryRun'>): boolean {
  return view.state === 'completed' || view.state === 'failed' || view.state === 'cancelled' || (view.state === 'planned' && view.dryRun);
}

/** Exit 0 only for a completed replay or a planned dry run; anything else is a failure with the coordinator's reason. */
export function assertSucceeded(view: ReplayView): void {
  if (view.state === 'completed' || (view.dryRun && view.state === 'planned')) return;
  const reason = view.error ? `: ${view.error.code}: ${view.error.message}` : '';
  throw new CliError(`replay ${view.id} ended ${view.state}${reason}`);
}

// ---- waiting ----

interface ProgressReporter {
  update(view: ReplayView): void;
  stop(): void;
}

/** A live bar on a terminal (stderr, so stdout stays clean for --json). */
class BarReporter implements ProgressReporter {
  private readonly bar = new SingleBar(
    {
      stream: process.stderr,
      format: '{state} [{bar}] {percentage}% | {put}/{selected} put | {failed} failed | {rate} rec/s | ETA {remaining}',
      barsize: 20,
      emptyOnZero: true,
      hideCursor: true,
      etaBuffer: 1,
    },
    Presets.shades_classic,
  );
  private started = false;

  update(view: ReplayView): void {
    const p = view.progress;
    const payload = { state: view.state.padEnd(9), put: formatCount(p.put), selected: formatCount(p.selected), failed: formatCount(p.failed), rate: formatCount(p.ratePerSecond), remaining: view.state === 'running' ? formatDuration(p.etaSeconds) : '-' };
    if (!this.started) {
      this.bar.start(p.selected, p.put, payload);
      this.started = true;
    } else {
      this.bar.setTotal(p.selected);
      this.bar.update(p.put, payload);
    }
  }

  stop(): void {
    if (this.started) this.bar.stop();
  }
}

/** Without a terminal (CI, logs): a line on a state change, otherwise one every few seconds. */
class LineReporter implements ProgressReporter {
  private lastAt = 0;
  private lastState?: ReplayState;

  update(view: ReplayView): void {
    const now = Date.now();
    if (view.state === this.lastState && now - this.lastAt < LINE_EVERY_MS && !isSettled(view)) return;
    this.lastAt = now;
    this.lastState = view.state;
    process.stderr.write(view.dryRun ? `dry run ${view.id} ${view.state}\n` : `replay ${view.id} ${view.state}: ${formatProgress(view)}\n`);
  }

  stop(): void {
    // Every line is already complete; nothing to clear.
  }
}

/**
 * Polls until the replay settles. Ctrl-C stops the waiting only: the replay runs on in the coordinator, and the
 * message says how to follow or cancel it.
 */
async function waitFor(client: ReplayClient, first: ReplayView): Promise<ReplayView> {
  const abort = new AbortController();
  const onInterrupt = () => abort.abort(new Error('interrupted'));
  process.once('SIGINT', onInterrupt);
  // A dry run only plans: a bar of records put would stay empty, so it gets the state lines.
  const reporter: ProgressReporter = interactiveStderr() && !first.dryRun ? new BarReporter() : new LineReporter();
  let view = first;
  try {
    reporter.update(view);
    while (!isSettled(view)) {
      await pause(POLL_MS, abort.signal);
      view = await client.get(view.id, abort.signal);
      reporter.update(view);
    }
    return view;
  } catch (err) {
    if (!abort.signal.aborted) throw err;
    throw new CliError(`stopped waiting; replay ${view.id} continues (${view.state}). Follow it with: fluxcap replay status ${view.id} --watch; cancel it with: fluxcap replay cancel ${view.id}`, 130);
  } finally {
    reporter.stop();
    process.off('SIGINT', onInterrupt);
  }
}

function clientFromEnv(): ReplayClient {
  const url = cliEnv.replayUrl;
  if (!url) throw new CliError("FLUX_REPLAY_URL is not set: point it at the replay coordinator (e.g. source .flux/dev.env)");
  if (!URL.canParse(url)) throw new CliError(`FLUX_REPLAY_URL is not a URL: ${url}`);
  return new ReplayClient(url, cliEnv.apiToken);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Prints the final view (one JSON object with --json), then fails unless it ended well. */
function finish(view: ReplayView, options: GlobalOptions): void {
  printResult(view, options, renderStatus);
  assertSucceeded(view);
}

export function registerReplayCommand(program: Command): void {
  const replay = program
    .command('replay')
    .description('Replay archived records into a Kinesis stream through the replay coordinator (FLUX_REPLAY_URL)')
    // --json is the program's option; list it in each subcommand's help, where it is used. Subcommands inherit this.
    .configureHelp({ showGlobalOptions: true });

  replay
    .command('start')
    .description('Start a replay (or --dry-run to see its plan first)')
    .requiredOption('--source <name>', 'archived stream to replay from')
    .option('--target <name>', 'stream to put the records into (default: the source)')
    .option('--from <time>', 'first arrival time, inclusive: ISO time or an age like 2h, 30m, 7d')
    .option('--until <time>', 'last arrival time, inclusive: ISO time or an age like 2h, 30m, 7d')
    .option('--from-sequence <shard=seq>', 'first sequence number of a source shard, inclusive (repeatable)', collect)
    .option('--until-sequence <shard=seq>', 'last sequence number of a source shard, inclusive (repeatable)', collect)
    .option('--where <predicate>', "SQL predicate over the records, e.g. \"(payload->>'region') = 'eu'\"")
    .option('--compact [key]', 'keep only the last record per key (default key: partition_key; or an expression like "payload->>\'id\'")')
    .option('--tombstone <predicate>', 'with --compact: records matching this are deletes, e.g. "length(data) = 0"')
    .option('--drop-deletes', 'with --compact: leave out keys whose last record is a delete (default: replay the delete)')
    .option('--annotate <key=value>', 'annotation put on every replayed record (repeatable)', collect)
    .option('--rate <n>', 'at most n records per second (excludes --pace)')
    .option('--pace <factor>', 'replay at factor times the original speed, 1 = as recorded (excludes --rate)')
    .option('--reserve <share>', "full speed, leaving this share of the target's write capacity free (e.g. 0.2)")
    .option('--raw', 'put the original data bytes, without the replay envelope')
    .option('--dry-run', 'only plan: print what would be replayed (records, keys, shards, sample, duration)')
    .option('--wait', 'wait until the replay ends, with progress; exit 0 only if it completed')
    .action(async (flags: StartFlags, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const request = asUsage(() => buildStartRequest(flags, new Date()));
      const client = clientFromEnv();
      let view = await client.start(request);
      if (!request.dryRun && !flags.wait) {
        printResult(view, options, (v) => `replay ${v.id} started (${v.state}): ${arrow(v)}\n  ${hint(v) ?? `status: fluxcap replay status ${v.id}`}`);
        return;
      }
      // A dry run is only useful once planned, so it always waits for the plan.
      view = await waitFor(client, view);
      finish(view, options);
    });

  replay
    .command('status')
    .description("Show a replay's state and progress (--watch: follow it until it ends)")
    .argument('<id>', 'replay id')
    .option('--watch', 'poll until the replay ends, with progress; exit 0 only if it completed')
    .action(async (id: string, flags: { watch?: boolean }, cmd: Command) => {
      const options = cmd.optsWithGlobals<GlobalOptions>();
      const client = clientFromEnv();
      let view = await client.get(id);
      if (!flags.watch) return printResult(view, options, renderStatus);
      view = await waitFor(client, view);
      finish(view, options);
    });

  replay
    .command('list')
    .description('List replays, newest first')
    .addOption(new Option('--state <state>', 'only replays in this state').choices([...REPLAY_STATES]))
    .option('--limit <n>', 'how many replays to show', '20')
    .action(async (flags: { state?: ReplayState; limit: string }, cmd: Command) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError(`--limit takes a whole number from 1 to 1000, got "${flags.limit}"`);
      const client = clientFromEnv();
      const items: ReplayView[] = [];
      let cursor: string | undefined;
      let nextCursor: string | null = null;
      // The coordinator may cap a page below --limit; follow the cursor until we have enough.
      do {
        const page = await client.list({ limit: limit - items.length, cursor, state: flags.state });
        items.push(...page.items.slice(0, limit - items.length));
        nextCursor = page.nextCursor;
        cursor = nextCursor ?? undefined;
      } while (cursor && items.length < limit);
      printResult({ items, nextCursor }, cmd.optsWithGlobals<GlobalOptions>(), renderList);
    });

  for (const [verb, description] of [
    ['pause', 'Pause a running replay (it keeps its position)'],
    ['resume', 'Resume a paused replay'],
    ['cancel', 'Cancel a replay (records already put stay put)'],
  ] as const) {
    replay
      .command(verb)
      .description(description)
      .argument('<id>', 'replay id')
      .action(async (id: string, _flags: unknown, cmd: Command) => {
        const view = await clientFromEnv()[verb](id);
        printResult(view, cmd.optsWithGlobals<GlobalOptions>(), renderStatus);
      });
  }

  replay
    .command('audit')
    .description('Who did what to a replay, and when')
    .argument('<id>', 'replay id')
    .action(async (id: string, _flags: unknown, cmd: Command) => {
      const audit = await clientFromEnv().audit(id);
      printResult(audit, cmd.optsWithGlobals<GlobalOptions>(), (a) => renderAudit(a.items));
    });

  // The end of each --help: an example of the command.
  const examples: Record<string, string[]> = {
    start: [
      `fluxcap replay start --source orders --target orders-replay --compact "payload->>'order_id'" --where "payload->>'customer' = 'customer-7'" --dry-run`,
      'fluxcap replay start --source orders --target orders-replay --from 2h --rate 500 --wait',
    ],
    status: ['fluxcap replay status 0f0c... --watch'],
    list: ['fluxcap replay list --state running'],
    pause: ['fluxcap replay pause 0f0c...'],
    resume: ['fluxcap replay resume 0f0c...'],
    cancel: ['fluxcap replay cancel 0f0c...'],
    audit: ['fluxcap replay audit 0f0c... --json'],
  };
  withExamples(replay, 'fluxcap replay list');
  for (const sub of replay.commands) withExamples(sub, ...(examples[sub.name()] ?? [`fluxcap replay ${sub.name()} --help`]));
}
