// What the Streams pages compute from the catalog's and the archiver's answers: pure, so it is unit-tested.

/** A stream as the catalog lists it (`GET /v1/streams` of the catalog). */
export interface CatalogStream {
  name: string;
  format: string | null;
  objectCount: number;
  recordCount: number;
  bytes: number;
  partitionCount: number;
  firstArrivalTime: string | null;
  lastArrivalTime: string | null;
  schemaVersion: number | null;
  corruptObjectCount: number;
}

/** A stream as the archiver reports it (`GET /v1/streams` of the archiver). */
export interface ArchiverStream {
  stream: string;
  retentionHours: number | null;
  shardCount: number;
  maxMillisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  atRisk: boolean;
}

/** One shard as the archiver reports it (`GET /v1/streams/:stream/shards`). */
export interface ArchiverShard {
  shardId: string;
  owner: string | null;
  leaseExpiresAt: string | null;
  checkpointSequence: string | null;
  millisBehindLatest: number | null;
  oldestUnarchivedAgeMs: number | null;
  statusUpdatedAt: string | null;
  atRisk: boolean;
}

export interface PartitionRow {
  dt: string;
  hour: number;
  location: string;
  startsAt: string;
  objectCount: number;
  recordCount: number;
  bytes: number;
}

export interface SchemaField {
  path: string;
  types: string[];
  nullable: boolean;
  firstSeen: string;
  lastSeen: string;
}

export interface StreamSchemaDoc {
  stream: string;
  version: number;
  format: string;
  fields: SchemaField[];
  firstSeen: string;
  lastSeen: string;
  versions?: { version: number; firstSeen: string; lastSeen: string }[];
}

/**
 * How a stream or a shard is doing, worst first. `at-risk`: its oldest unarchived record is older than half the
 * retention (records may expire before they are archived); `stale`: no archiver heartbeat lately; `lagging`: more
 * than LAGGING_MS behind the stream's tip; `not-archived`: the catalog has it but no archiver reports it.
 */
export type Health = 'at-risk' | 'stale' | 'lagging' | 'not-archived' | 'healthy' | 'unknown';

const HEALTH_ORDER: Health[] = ['at-risk', 'stale', 'lagging', 'not-archived', 'unknown', 'healthy'];

/** Behind the tip by more than this is worth a yellow badge (the archiver flushes every few seconds to minutes). */
export const LAGGING_MS = 5 * 60_000;
/** A shard whose status was not written for this long has no live archiver behind it (lease heartbeat is 10 s by default). */
export const STALE_STATUS_MS = 60_000;

export interface StreamRow {
  name: string;
  catalog: CatalogStream | null;
  archiver: ArchiverStream | null;
  /** oldest unarchived age as a share of the retention (0.5 = half), null when either is unknown */
  retentionShare: number | null;
  health: Health;
}

/** Share of the retention the oldest unarchived record has used up; null when either is unknown. */
export function retentionShare(oldestUnarchivedAgeMs: number | null, retentionHours: number | null): number | null {
  if (oldestUnarchivedAgeMs === null || retentionHours === null || retentionHours <= 0) return null;
  return oldestUnarchivedAgeMs / (retentionHours * 3_600_000);
}

function streamHealth(a: ArchiverStream | null, archiverAnswered: boolean): Health {
  if (!a) return archiverAnswered ? 'not-archived' : 'unknown';
  const share = retentionShare(a.oldestUnarchivedAgeMs, a.retentionHours);
  if (a.atRisk || (share !== null && share >= 0.5)) return 'at-risk';
  if (a.maxMillisBehindLatest === null) return 'unknown';
  if (a.maxMillisBehindLatest > LAGGING_MS) return 'lagging';
  return 'healthy';
}

/**
 * One row per stream either service knows, riskiest first (then the most retention used, the most lag, the name).
 * `archiverAnswered: false` (the archiver is down or not configured): a stream it does not list is `unknown`, not
 * `not-archived`.
 */
export function mergeStreams(catalog: CatalogStream[], archiver: ArchiverStream[], archiverAnswered = true): StreamRow[] {
  const names = new Set([...catalog.map((c) => c.name), ...archiver.map((a) => a.stream)]);
  const rows = [...names].map((name): StreamRow => {
    const c = catalog.find((s) => s.name === name) ?? null;
    const a = archiver.find((s) => s.stream === name) ?? null;
    return { name, catalog: c, archiver: a, retentionShare: a ? retentionShare(a.oldestUnarchivedAgeMs, a.retentionHours) : null, health: streamHealth(a, archiverAnswered) };
  });
  return rows.sort(
    (x, y) =>
      HEALTH_ORDER.indexOf(x.health) - HEALTH_ORDER.indexOf(y.health) ||
      (y.retentionShare ?? -1) - (x.retentionShare ?? -1) ||
      (y.archiver?.maxMillisBehindLatest ?? -1) - (x.archiver?.maxMillisBehindLatest ?? -1) ||
      x.name.localeCompare(y.name),
  );
}

export interface ShardRow extends ArchiverShard {
  retentionShare: number | null;
  health: Health;
  /** set when the shard's status is older than STALE_STATUS_MS or its lease has expired: when it was last heard of */
  silentSince: string | null;
}

/** Shards with their health; a shard whose archiver went quiet is `stale` unless it is already at risk. */
export function shardRows(shards: ArchiverShard[], retentionHours: number | null, now: number): ShardRow[] {
  return shards
    .map((s): ShardRow => {
      const share = retentionShare(s.oldestUnarchivedAgeMs, retentionHours);
      const updated = s.statusUpdatedAt ? Date.parse(s.statusUpdatedAt) : null;
      const leaseGone = s.leaseExpiresAt === null || Date.parse(s.leaseExpiresAt) < now;
      const quiet = updated === null || now - updated > STALE_STATUS_MS || leaseGone;
      let health: Health;
      if (s.atRisk || (share !== null && share >= 0.5)) health = 'at-risk';
      else if (quiet) health = 'stale';
      else if (s.millisBehindLatest === null) health = 'unknown';
      else if (s.millisBehindLatest > LAGGING_MS) health = 'lagging';
      else health = 'healthy';
      return { ...s, retentionShare: share, health, silentSince: quiet ? s.statusUpdatedAt : null };
    })
    .sort((x, y) => HEALTH_ORDER.indexOf(x.health) - HEALTH_ORDER.indexOf(y.health) || x.shardId.localeCompare(y.shardId));
}

export const HEALTH_LABEL: Record<Health, string> = {
  'at-risk': 'At risk',
  stale: 'No heartbeat',
  lagging: 'Lagging',
  'not-archived': 'Not archived',
  healthy: 'Healthy',
  unknown: 'Unknown',
};

export const HEALTH_COLOR: Record<Health, string> = {
  'at-risk': 'red',
  stale: 'orange',
  lagging: 'yellow',
  'not-archived': 'gray',
  healthy: 'teal',
  unknown: 'gray',
};

/** `1 h 5 min`, `42 s`, `3 d 4 h`: a duration a person reads at a glance (two units at most). */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '–';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

export const formatCount = (n: number | null | undefined) => (n === null || n === undefined ? '–' : n.toLocaleString('en-US'));

/** One hour's bar of the Activity chart. */
export interface ActivityPoint {
  /** `12-01 14:00` (UTC) */
  hour: string;
  startsAt: string;
  records: number;
  bytes: number;
}

/**
 * Records and bytes archived per hour over the last `hours` hours up to `now`, with empty hours as zero so the
 * chart's time axis has no holes (the catalog lists only hours that have objects).
 */
export function activitySeries(partitions: PartitionRow[], now: number, hours = 48): ActivityPoint[] {
  const end = Math.floor(now / 3_600_000) * 3_600_000;
  const byStart = new Map<number, PartitionRow>();
  for (const p of partitions) {
    const t = Date.parse(p.startsAt);
    const have = byStart.get(t);
    // Two locations for one hour (object layouts) add up.
    byStart.set(t, have ? { ...have, recordCount: have.recordCount + p.recordCount, bytes: have.bytes + p.bytes } : p);
  }
  const points: ActivityPoint[] = [];
  for (let t = end - (hours - 1) * 3_600_000; t <= end; t += 3_600_000) {
    const p = byStart.get(t);
    const iso = new Date(t).toISOString();
    points.push({ hour: `${iso.slice(5, 10)} ${iso.slice(11, 16)}`, startsAt: iso, records: p?.recordCount ?? 0, bytes: p?.bytes ?? 0 });
  }
  return points;
}

/** How a field differs from the previous schema version. */
export type FieldChange = 'added' | 'types' | 'nullability' | null;

export interface SchemaNode {
  /** the last segment of the path (`sku` of `items[].sku`) */
  name: string;
  path: string;
  depth: number;
  field: SchemaField | null;
  change: FieldChange;
  /** previous version's types / nullability, when they changed */
  before?: { types: string[]; nullable: boolean };
}

/** Splits `a.b[].c` into `a`, `b[]`, `c`. */
function segments(path: string): string[] {
  return path.split('.').filter((s) => s.length > 0);
}

/**
 * The schema's fields as a tree in display order (a parent before its children, siblings by name), each marked
 * with its change from `previous` (a field that is new, or whose types or nullability differ). Parents that are
 * not fields themselves (never seen alone) appear as plain nodes.
 */
export function schemaTree(fields: SchemaField[], previous: SchemaField[] | null): { nodes: SchemaNode[]; removed: SchemaField[] } {
  const prev = new Map((previous ?? []).map((f) => [f.path, f]));
  const byPath = new Map(fields.map((f) => [f.path, f]));
  const paths = new Set<string>();
  for (const f of fields) {
    const segs = segments(f.path);
    for (let i = 1; i < segs.length; i++) {
      // The parent of `items[].sku` is the array field `items` (an `items[]` path exists only for scalar elements).
      const prefix = segs.slice(0, i).join('.');
      paths.add(byPath.has(prefix) ? prefix : prefix.replace(/\[\]$/, ''));
    }
    paths.add(f.path);
  }
  const sorted = [...paths].sort((a, b) => {
    const sa = segments(a);
    const sb = segments(b);
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
      const c = sa[i].replace(/\[\]$/, '').localeCompare(sb[i].replace(/\[\]$/, ''));
      if (c !== 0) return c;
    }
    return sa.length - sb.length;
  });
  const nodes = sorted.map((path): SchemaNode => {
    const segs = segments(path);
    const field = byPath.get(path) ?? null;
    const before = prev.get(path);
    let change: FieldChange = null;
    if (field && previous) {
      if (!before) change = 'added';
      else if ([...field.types].sort().join() !== [...before.types].sort().join()) change = 'types';
      else if (field.nullable !== before.nullable) change = 'nullability';
    }
    return { name: segs[segs.length - 1], path, depth: segs.length - 1, field, change, ...(change && before ? { before: { types: before.types, nullable: before.nullable } } : {}) };
  });
  const removed = (previous ?? []).filter((f) => !byPath.has(f.path));
  return { nodes, removed };
}

/**
 * The SQL the Search page opens with for a stream: its newest records of the last hour. The bound is a literal
 * timestamp (UTC), so the gateway prunes partitions by it and the query reads the same in any engine.
 */
export function searchSqlFor(stream: string, now = Date.now()): string {
  const table = /^[a-z_][a-z0-9_]*$/.test(stream) ? stream : `"${stream.replace(/"/g, '""')}"`;
  const from = new Date(now - 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  return `SELECT arrival_time, shard_id, partition_key, payload\nFROM ${table}\nWHERE arrival_time >= TIMESTAMP '${from}'\nORDER BY arrival_time DESC\nLIMIT 100`;
}

/** `2026-12-01 11:50:00 UTC`, or the time alone when it is today (UTC). */
export function utcTime(iso: string, now = Date.now()): string {
  const d = new Date(iso).toISOString();
  const sameDay = d.slice(0, 10) === new Date(now).toISOString().slice(0, 10);
  return `${sameDay ? '' : `${d.slice(0, 10)} `}${d.slice(11, 19)} UTC`;
}
