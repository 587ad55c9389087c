import { CliError } from '../cli-error';
import type { ReplayView } from '../replay-client';
import { assertSucceeded, buildStartRequest, formatBytes, formatDuration, formatProgress, isSettled, parseTime, renderHistogram, renderList, renderPlan } from './replay.command';

const NOW = new Date('2026-11-30T12:00:00.000Z');

function view(overrides: Partial<ReplayView> = {}): ReplayView {
  return {
    id: 'r-1',
    state: 'running',
    source: 'orders',
    target: 'orders-restore',
    dryRun: false,
    spec: { source: 'orders' },
    createdBy: 'alice',
    createdAt: '2026-11-30T11:00:00.000Z',
    progress: { selected: 10_000, put: 1_234, failed: 0, bytesSelected: 1_048_576, bytesPut: 129_000, ratePerSecond: 500, etaSeconds: 18 },
    plan: null,
    error: null,
    ...overrides,
  };
}

describe('parseTime', () => {
  it('turns an age into the ISO instant that long before now', () => {
    expect(parseTime('--from', '2h', NOW)).toBe('2026-11-30T10:00:00.000Z');
    expect(parseTime('--from', '30m', NOW)).toBe('2026-11-30T11:30:00.000Z');
    expect(parseTime('--from', '7d', NOW)).toBe('2026-11-23T12:00:00.000Z');
    expect(parseTime('--from', '1h30m ago', NOW)).toBe('2026-11-30T10:30:00.000Z');
  });

  it('reads an ISO time without an offset as UTC and keeps an explicit offset', () => {
    expect(parseTime('--from', '2026-11-30T08:15:00', NOW)).toBe('2026-11-30T08:15:00.000Z');
    expect(parseTime('--from', '2026-11-30', NOW)).toBe('2026-11-30T00:00:00.000Z');
    expect(parseTime('--from', '2026-11-30T08:15:00+01:00', NOW)).toBe('2026-11-30T07:15:00.000Z');
    expect(parseTime('--from', '2026-11-30T08:15:00.250-0230', NOW)).toBe('2026-11-30T10:45:00.250Z');
  });

  it.each(['yesterday', '2h later', '-2h', '2026-02-30', '2026-13-01T00:00:00Z', '2026-11-30T24:00:00Z', '2y', ''])('refuses "%s" with a message naming the flag and the accepted forms', (input) => {
    expect(() => parseTime('--until', input, NOW)).toThrow(CliError);
    expect(() => parseTime('--until', input, NOW)).toThrow(/^--until: ".*" is not a time; use an ISO time like .* or an age like 30m, 2h, 7d/);
  });
});

describe('buildStartRequest', () => {
  it('sends the source as target, envelope format and a real run when only --source is given', () => {
    expect(buildStartRequest({ source: 'orders' }, NOW)).toEqual({ source: 'orders', target: 'orders', format: 'envelope', dryRun: false });
  });

  it('carries every flag into the body, times converted to ISO', () => {
    const body = buildStartRequest(
      {
        source: 'orders',
        target: 'orders-restore',
        from: '2h',
        until: '2026-11-30T11:59:59Z',
        where: "(payload->>'region') = 'eu'",
        compact: "payload->>'id'",
        tombstone: 'length(data) = 0',
        dropDeletes: true,
        annotate: ['forceOverwrite=true', 'ticket=OPS-1=2'],
        rate: '500',
        dryRun: true,
      },
      NOW,
    );
    expect(body).toEqual({
      source: 'orders',
      target: 'orders-restore',
      from: '2026-11-30T10:00:00.000Z',
      until: '2026-11-30T11:59:59.000Z',
      where: "(payload->>'region') = 'eu'",
      compact: { key: "payload->>'id'", tombstone: 'length(data) = 0', deletes: 'drop' },
      annotations: { forceOverwrite: 'true', ticket: 'OPS-1=2' },
      pace: { mode: 'rate', recordsPerSecond: 500 },
      format: 'envelope',
      dryRun: true,
    });
  });

  it('compacts on partition_key and replays deletes when --compact has no key', () => {
    expect(buildStartRequest({ source: 'orders', compact: true }, NOW).compact).toEqual({ key: 'partition_key', deletes: 'replay' });
  });

  it('asks for the original bytes with --raw', () => {
    expect(buildStartRequest({ source: 'orders', raw: true }, NOW).format).toBe('raw');
  });

  it('maps --pace to original pacing and --reserve to full speed with a reserve', () => {
    expect(buildStartRequest({ source: 'orders', pace: '10' }, NOW).pace).toEqual({ mode: 'original', factor: 10 });
    expect(buildStartRequest({ source: 'orders', reserve: '0.2' }, NOW).pace).toEqual({ mode: 'max', reserve: 0.2 });
    expect(buildStartRequest({ source: 'orders' }, NOW).pace).toBeUndefined();
  });

  it.each([
    [{ source: ' ' }, /--source needs/],
    [{ source: 'o', from: '1h', until: '2h' }, /--from \(2026-11-30T11:00:00.000Z\) is after --until \(2026-11-30T10:00:00.000Z\)/],
    [{ source: 'o', from: 'soon' }, /--from: "soon" is not a time/],
    [{ source: 'o', rate: '10', pace: '2' }, /--rate and --pace exclude each other/],
    [{ source: 'o', rate: '0' }, /--rate takes records per second > 0, got "0"/],
    [{ source: 'o', rate: 'fast' }, /--rate takes records per second > 0, got "fast"/],
    [{ source: 'o', pace: '-1' }, /--pace takes a speed factor/],
    [{ source: 'o', reserve: '0.96' }, /--reserve takes the share .* from 0 to 0\.95/],
    [{ source: 'o', annotate: ['a=1'], raw: true }, /--annotate needs the replay envelope: leave out --raw/],
    [{ source: 'o', annotate: ['bad key=1'] }, /--annotate: "bad key" is not an annotation name/],
    [{ source: 'o', reserve: '0.2', rate: '5' }, /--reserve applies only to full speed/],
    [{ source: 'o', tombstone: 'length(data) = 0' }, /--tombstone only applies with --compact/],
    [{ source: 'o', dropDeletes: true }, /--drop-deletes only applies with --compact/],
    [{ source: 'o', annotate: ['novalue'] }, /--annotate takes key=value, got "novalue"/],
    [{ source: 'o', annotate: ['=x'] }, /--annotate takes key=value/],
    [{ source: 'o', annotate: ['a=1', 'a=2'] }, /--annotate names "a" twice/],
    [{ source: 'o', where: '  ' }, /--where needs a SQL predicate/],
  ])('refuses %j before calling the coordinator', (flags, message) => {
    expect(() => buildStartRequest(flags, NOW)).toThrow(message);
  });
});

describe('formatting', () => {
  it('renders durations in their two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(42.4)).toBe('42s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(7380)).toBe('2h 03m');
    expect(formatDuration(100_800)).toBe('1d 04h');
    expect(formatDuration(null)).toBe('unknown');
  });

  it('renders bytes in binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1_572_864)).toBe('1.5 MiB');
  });

  it('renders progress with share, failures, rate and an ETA while running', () => {
    expect(formatProgress(view())).toBe('1,234 / 10,000 put (12.3%), 0 failed, 500 rec/s, ETA 18s');
    expect(formatProgress(view({ progress: { ...view().progress, etaSeconds: null } }))).toMatch(/ETA unknown$/);
  });

  it('leaves out the share before anything is selected and the ETA once not running', () => {
    const planning = view({ state: 'planning', progress: { selected: 0, put: 0, failed: 0, bytesSelected: 0, bytesPut: 0, ratePerSecond: 0, etaSeconds: null } });
    expect(formatProgress(planning)).toBe('0 / 0 put, 0 failed, 0 rec/s');
    expect(formatProgress(view({ state: 'completed' }))).not.toContain('ETA');
  });
});

describe('renderHistogram', () => {
  it('scales bars to the busiest shard, sorted by shard, counts right-aligned', () => {
    const text = renderHistogram({ 'shardId-000000000001': 2_500, 'shardId-000000000000': 5_000, 'shardId-000000000002': 0 }, 10);
    expect(text.split('\n')).toEqual([
      'shardId-000000000000  ██████████  5,000',
      'shardId-000000000001  █████       2,500',
      'shardId-000000000002                  0',
    ]);
  });

  it('gives a shard with few records one block so it never looks empty', () => {
    expect(renderHistogram({ a: 1_000_000, b: 1 }, 20).split('\n')[1]).toMatch(/^b {2}█ {19} {2}\s*1$/);
  });

  it('says so when there are no shards', () => {
    expect(renderHistogram({})).toBe('(no shards)');
  });
});

describe('plan and list rendering', () => {
  it('prints the plan of a dry run: counts, histogram, sample and estimate', () => {
    const planned = view({
      state: 'planned',
      dryRun: true,
      plan: {
        records: 7_500,
        bytes: 3_145_728,
        distinctKeys: 1_200,
        perShard: { 'shardId-000000000000': 5_000, 'shardId-000000000001': 2_500 },
        objects: 12,
        liveRecords: 40,
        sample: [{ shardId: 'shardId-000000000000', sequenceNumber: '4959', partitionKey: 'k1', arrivalTime: '2026-11-30T10:00:00Z', key: 'k1', op: 'upsert', payload: { id: 1 } }],
        estimatedSeconds: 200,
        watermarks: {},
      },
    });
    const text = renderPlan(planned);
    expect(text).toContain('dry run r-1 planned: orders → orders-restore');
    expect(text).toMatch(/records\s+7,500 \(3\.0 MiB\)/);
    expect(text).toMatch(/distinct keys\s+1,200/);
    expect(text).toMatch(/archive objects\s+12/);
    expect(text).toMatch(/live records\s+40/);
    expect(text).toMatch(/estimated\s+3m 20s/);
    expect(text).toMatch(/shardId-000000000001 {2}█{15} {15} {2}2,500/);
    expect(text).toMatch(/4959\s+k1\s+2026-11-30T10:00:00Z\s+k1\s+upsert\s+\{"id":1\}/);
  });

  it('lists replays as id, state, source→target, put/selected, created', () => {
    const lines = renderList({ items: [view()], nextCursor: null }).split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['id', 'state', 'source→target', 'put/selected', 'created']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['r-1', 'running', 'orders→orders-restore', '1,234/10,000', '2026-11-30T11:00:00.000Z']);
  });
});

describe('when waiting ends and how it exits', () => {
  it('waits through planning, running and paused; stops at a final state or a planned dry run', () => {
    expect(['planning', 'running', 'paused'].map((state) => isSettled({ state: state as ReplayView['state'], dryRun: false }))).toEqual([false, false, false]);
    expect(['completed', 'failed', 'cancelled'].map((state) => isSettled({ state: state as ReplayView['state'], dryRun: false }))).toEqual([true, true, true]);
    expect(isSettled({ state: 'planned', dryRun: true })).toBe(true);
    expect(isSettled({ state: 'planned', dryRun: false })).toBe(false);
  });

  it('succeeds only for completed or a planned dry run, else fails with the coordinator reason', () => {
    expect(() => assertSucceeded(view({ state: 'completed' }))).not.toThrow();
    expect(() => assertSucceeded(view({ state: 'planned', dryRun: true }))).not.toThrow();
    expect(() => assertSucceeded(view({ state: 'failed', error: { code: 'TARGET_MISSING', message: 'stream orders-restore does not exist' } }))).toThrow(
      'replay r-1 ended failed: TARGET_MISSING: stream orders-restore does not exist',
    );
    expect(() => assertSucceeded(view({ state: 'cancelled' }))).toThrow('replay r-1 ended cancelled');
  });

  it('takes per-shard sequence bounds as SHARD=SEQUENCE pairs and refuses malformed ones', () => {
    const body = buildStartRequest({ source: 'orders', fromSequence: ['shardId-000000000000=10', 'shardId-000000000001=20'], untilSequence: ['shardId-000000000000=99'] }, new Date());
    expect(body.fromSequence).toEqual({ 'shardId-000000000000': '10', 'shardId-000000000001': '20' });
    expect(body.untilSequence).toEqual({ 'shardId-000000000000': '99' });
    expect(() => buildStartRequest({ source: 'orders', fromSequence: ['shardId-000000000000'] }, new Date())).toThrow(/SHARD=SEQUENCE_NUMBER/);
    expect(() => buildStartRequest({ source: 'orders', untilSequence: ['s=1', 's=2'] }, new Date())).toThrow(/twice/);
  });
});
