// What the Replays pages compute: the request body from the form, which field an API error belongs to, progress.

import type { ReplayOperations } from '@flux-capacitor/api-client';

// The replay as the coordinator's API returns it, taken from its generated OpenAPI types
// (libs/api-client/src/generated/replay-coordinator.ts), so a change there breaks the console's typecheck
// rather than its pages.
type Ok<Op extends keyof ReplayOperations> = ReplayOperations[Op]['responses'] extends { 200: { content: { 'application/json': infer T } } } ? T : never;

export type ReplayView = Ok<'ReplayController_get'>;
export type ReplayState = ReplayView['state'];
export type ReplaySpecView = ReplayView['spec'];
export type Pace = ReplaySpecView['pace'];
export type ReplayProgress = ReplayView['progress'];
export type PlanSummary = NonNullable<ReplayView['plan']>;
export type PlanSampleRecord = PlanSummary['sample'][number];
export type AuditEntry = Ok<'ReplayController_audit'>['items'][number];

/** What the form holds: strings as typed, turned into the request by toReplayRequest. */
export interface ReplayFormValues {
  source: string;
  target: string;
  /** `datetime-local` values, read as UTC (the form says so) */
  from: string;
  until: string;
  where: string;
  compact: boolean;
  compactKey: string;
  /** the delete condition (tombstone rule); empty = the coordinator's default, a record with empty data */
  tombstone: string;
  deletes: 'replay' | 'drop';
  /** one `key=value` a line */
  annotations: string;
  paceMode: 'max' | 'rate' | 'original';
  reservePercent: string;
  recordsPerSecond: string;
  factor: string;
  format: 'envelope' | 'raw';
}

export const EMPTY_FORM: ReplayFormValues = {
  source: '',
  target: '',
  from: '',
  until: '',
  where: '',
  compact: false,
  compactKey: 'partition_key',
  tombstone: '',
  deletes: 'replay',
  annotations: '',
  paceMode: 'max',
  reservePercent: '',
  recordsPerSecond: '100',
  factor: '1',
  format: 'envelope',
};

export type FormField = keyof ReplayFormValues | 'form';
export type FieldErrors = Partial<Record<FormField, string>>;

/** `2026-12-01T10:00` (no zone, as `datetime-local` gives it) or a full ISO time, read as UTC. */
export function localToIso(value: string): string | null {
  const v = value.trim();
  if (!v) return null;
  const withZone = /([zZ]|[+-]\d\d:?\d\d)$/.test(v) ? v : `${v.length === 16 ? `${v}:00` : v}Z`;
  const t = Date.parse(withZone);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

/** The form as a POST /v1/replays body, or the errors that keep it from being one (checked here so they show at once). */
export function toReplayRequest(v: ReplayFormValues, dryRun: boolean): { body: Record<string, unknown> } | { errors: FieldErrors } {
  const errors: FieldErrors = {};
  const body: Record<string, unknown> = { source: v.source.trim(), dryRun };
  if (!v.source.trim()) errors.source = 'Choose the stream to replay from';
  if (v.target.trim()) body.target = v.target.trim();
  for (const key of ['from', 'until'] as const) {
    if (!v[key].trim()) continue;
    const iso = localToIso(v[key]);
    if (iso) body[key] = iso;
    else errors[key] = 'Not a date and time (e.g. 2026-12-01T10:00, UTC)';
  }
  if (body.from && body.until && Date.parse(body.until as string) < Date.parse(body.from as string)) errors.until = 'Must not be before From';
  if (v.where.trim()) body.where = v.where.trim();
  if (v.compact) body.compact = { key: v.compactKey.trim() || 'partition_key', ...(v.tombstone.trim() ? { tombstone: v.tombstone.trim() } : {}), deletes: v.deletes };
  const annotations: Record<string, string> = {};
  for (const [i, raw] of v.annotations.split('\n').entries()) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      errors.annotations = `Line ${i + 1}: write key=value`;
      break;
    }
    annotations[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  if (Object.keys(annotations).length > 0) body.annotations = annotations;
  if (v.paceMode === 'max') {
    if (v.reservePercent.trim()) {
      const r = Number(v.reservePercent);
      if (!Number.isFinite(r) || r < 0 || r > 95) errors.reservePercent = 'A share from 0 to 95 %';
      else body.pace = { mode: 'max', reserve: r / 100 };
    } else body.pace = { mode: 'max' };
  } else if (v.paceMode === 'rate') {
    const n = Number(v.recordsPerSecond);
    if (!Number.isFinite(n) || n <= 0) errors.recordsPerSecond = 'Records per second, more than 0';
    else body.pace = { mode: 'rate', recordsPerSecond: n };
  } else {
    const f = Number(v.factor);
    if (!Number.isFinite(f) || f <= 0) errors.factor = 'A speed-up factor, more than 0';
    else body.pace = { mode: 'original', factor: f };
  }
  if (v.format === 'raw') body.format = 'raw';
  return Object.keys(errors).length > 0 ? { errors } : { body };
}

/** The coordinator's tombstone rule when none is given (libs/replay DEFAULT_TOMBSTONE): shown as an empty field. */
export const DEFAULT_TOMBSTONE = 'octet_length(data) = 0';

/**
 * The request that starts exactly the previewed plan. Starting plans again at the coordinator, so open bounds are
 * closed with the plan's: `untilSequence` at each shard's watermark (the last record the preview saw, exact), an empty
 * Until at the moment planning ended (it only bounds shards the plan did not know, e.g. after a reshard) and an empty
 * From at the plan's first arrival time. Records arriving after the preview are then left out, and the same window
 * compacts to the same keys.
 */
export function pinToPlan(body: Record<string, unknown>, dryRun: Pick<ReplayView, 'plan' | 'finishedAt'>): Record<string, unknown> {
  const plan = dryRun.plan;
  if (!plan) return body;
  const pinned: Record<string, unknown> = { ...body, dryRun: false };
  if (!pinned.from && plan.firstArrivalTime) pinned.from = plan.firstArrivalTime;
  if (!pinned.until) {
    // Arrival times have milliseconds at most: the last one, or when planning ended if that is later.
    const until = Math.max(...[plan.lastArrivalTime, dryRun.finishedAt].filter((t): t is string => !!t).map((t) => Date.parse(t)));
    if (Number.isFinite(until)) pinned.until = new Date(until).toISOString();
  }
  if (!pinned.untilSequence && Object.keys(plan.watermarks).length > 0) pinned.untilSequence = { ...plan.watermarks };
  return pinned;
}

/** A replay's spec back as form values (for "replay again" and for opening the form from a stream). */
export function specToForm(spec: Partial<ReplaySpecView> & { source: string }): ReplayFormValues {
  const iso = (s?: string) => (s ? s.replace(/:00(\.000)?Z$/, '').replace(/Z$/, '') : '');
  const pace = spec.pace ?? { mode: 'max' };
  return {
    ...EMPTY_FORM,
    source: spec.source,
    target: spec.target ?? '',
    from: iso(spec.from),
    until: iso(spec.until),
    where: spec.where ?? '',
    compact: Boolean(spec.compact),
    compactKey: spec.compact?.key ?? 'partition_key',
    tombstone: spec.compact && spec.compact.tombstone !== DEFAULT_TOMBSTONE ? spec.compact.tombstone : '',
    deletes: spec.compact?.deletes ?? 'replay',
    annotations: Object.entries(spec.annotations ?? {})
      .map(([k, val]) => `${k}=${val}`)
      .join('\n'),
    paceMode: pace.mode,
    reservePercent: pace.mode === 'max' && pace.reserve !== undefined ? String(Math.round(pace.reserve * 100)) : '',
    recordsPerSecond: pace.mode === 'rate' ? String(pace.recordsPerSecond) : EMPTY_FORM.recordsPerSecond,
    factor: pace.mode === 'original' ? String(pace.factor) : EMPTY_FORM.factor,
    format: spec.format ?? 'envelope',
  };
}

/** A problem-details answer as the console's API layer hands it on. */
export interface ApiProblem {
  status?: number;
  code?: string;
  detail?: string;
  message?: string;
}

/**
 * Which form field an error from POST /v1/replays belongs to, so it is shown next to it: by its code
 * (TARGET_NOT_ALLOWED, UNKNOWN_STREAM, ...) or, for INVALID_REPLAY, by the field its detail starts with
 * (`where: ...`, `compact.key: ...`, `body.from: ...`, `until (...) is before from`). Everything else is the form's.
 */
export function fieldOfError(problem: ApiProblem): FormField {
  const detail = (problem.detail ?? problem.message ?? '').trim();
  switch (problem.code) {
    case 'TARGET_NOT_ALLOWED':
    case 'TARGET_NOT_FOUND':
      return 'target';
    case 'UNKNOWN_STREAM':
      return 'source';
  }
  const head = detail.replace(/^body\./, '').split(/[:\s(]/)[0];
  const map: Record<string, FormField> = {
    source: 'source',
    target: 'target',
    from: 'from',
    until: 'until',
    where: 'where',
    'compact.key': 'compactKey',
    'compact.tombstone': 'tombstone',
    tombstone: 'tombstone',
    compact: 'compactKey',
    annotations: 'annotations',
    pace: 'paceMode',
    'pace.reserve': 'reservePercent',
    'pace.recordsPerSecond': 'recordsPerSecond',
    'pace.factor': 'factor',
    format: 'format',
  };
  if (map[head]) return map[head];
  const prefix = Object.keys(map)
    .sort((a, b) => b.length - a.length)
    .find((k) => head.startsWith(`${k}.`));
  if (prefix) return map[prefix];
  if (/annotations need the replay envelope/.test(detail)) return 'format';
  return 'form';
}

/** Errors of one API answer by field; a detail with several `;`-separated reasons is split among their fields. */
export function fieldErrorsOf(problem: ApiProblem): FieldErrors {
  const detail = problem.detail ?? problem.message ?? 'The request failed';
  const parts = problem.code === 'INVALID_REPLAY' ? detail.split('; ') : [detail];
  const out: FieldErrors = {};
  for (const part of parts) {
    const field = fieldOfError({ ...problem, detail: part });
    out[field] = out[field] ? `${out[field]}; ${part}` : part;
  }
  return out;
}

export const ACTIVE_STATES: readonly ReplayState[] = ['planning', 'running', 'paused'];
export const isActive = (s: ReplayState) => ACTIVE_STATES.includes(s);
export const canPause = (s: ReplayState) => s === 'planning' || s === 'running';
export const canResume = (s: ReplayState) => s === 'paused';
export const canCancel = (s: ReplayState) => ACTIVE_STATES.includes(s);

export const STATE_COLOR: Record<ReplayState, string> = {
  planning: 'blue',
  planned: 'grape',
  running: 'blue',
  paused: 'yellow',
  completed: 'teal',
  failed: 'red',
  cancelled: 'gray',
};

/** Records done (put + failed) as a percentage of those selected; 100 for a completed replay of nothing. */
export function percentDone(r: Pick<ReplayView, 'state' | 'progress'>): number {
  const { selected, put, failed } = r.progress;
  if (r.state === 'completed') return 100;
  if (selected <= 0) return 0;
  return Math.min(100, ((put + failed) / selected) * 100);
}

/** Per-shard histogram rows of a plan, largest first, each with its share of the largest shard (bar width). */
export function shardHistogram(perShard: Record<string, number>): { shardId: string; records: number; share: number }[] {
  const rows = Object.entries(perShard).map(([shardId, records]) => ({ shardId, records }));
  const max = Math.max(1, ...rows.map((r) => r.records));
  return rows.sort((a, b) => a.shardId.localeCompare(b.shardId)).map((r) => ({ ...r, share: r.records / max }));
}

/** Confirmation is typed only when a replay writes back into its own source: that stream's consumers see it. */
export function needsTypedConfirmation(source: string, target: string): boolean {
  return (target.trim() || source.trim()) === source.trim();
}
