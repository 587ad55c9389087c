import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { QueryService } from '@flux-capacitor/query-engine';
import { STREAM_COLUMNS, TYPED_PREFIX, sqlIdentifier, sqlString } from '@flux-capacitor/query-engine';
import type { ReplaySpec } from './replay-spec';
import type { PlanSampleRecord, PlanSummary } from './replay.types';

export interface ReplayPlannerOptions {
  /** local folder for plan files and spill */
  workDir: string;
  memoryLimit: string;
  live: { maxRecords: number; budgetMs: number };
  timeoutMs?: number;
}

/** What planning hands to the runner: the summary, the watermarks and the local plan file. */
export interface PlannedReplay {
  summary: Omit<PlanSummary, 'estimatedSeconds'>;
  /** per source shard: the last position the replay includes */
  watermarks: Map<string, string>;
  /** Parquet, one row per record to write, in the order to write them (`ordinal` 0..n-1) */
  path: string;
}

/** The columns of a plan file, in order. */
export const PLAN_COLUMNS = ['ordinal', 'shard_id', 'sequence_number', 'sub_sequence_number', 'partition_key', 'arrival_ms', 'data', 'key', 'op'] as const;

const SAMPLE_SIZE = 10;
// Sequence numbers are decimal strings of up to ~56 digits: zero-padded, string order is numeric order.
const POS = `lpad(sequence_number, 64, '0')`;

/** `2026-11-30T12:00:00.000Z` as a DuckDB TIMESTAMP literal (arrival_time is UTC without a zone). */
function timestampLiteral(iso: string): string {
  return `TIMESTAMP ${sqlString(new Date(iso).toISOString().replace('T', ' ').replace('Z', ''))}`;
}

/** The bounds of a spec as SQL over the stream table; `upperOnly` leaves the lower ones out (for watermarks). */
export function boundsSql(spec: ReplaySpec, upperOnly = false): string {
  const terms: string[] = [];
  if (spec.from && !upperOnly) terms.push(`arrival_time >= ${timestampLiteral(spec.from)}`);
  if (spec.until) terms.push(`arrival_time <= ${timestampLiteral(spec.until)}`);
  const seqBound = (bounds: Record<string, string> | undefined, op: '>=' | '<=') =>
    Object.entries(bounds ?? {}).forEach(([shard, seq]) => terms.push(`(shard_id <> ${sqlString(shard)} OR ${POS} ${op} lpad(${sqlString(seq)}, 64, '0'))`));
  if (!upperOnly) seqBound(spec.fromSequence, '>=');
  seqBound(spec.untilSequence, '<=');
  return terms.length ? terms.join(' AND ') : 'true';
}

/**
 * The typed field columns (`"payload.<path>"`, virtual columns of the stream table) a filter names, from DuckDB's
 * parse of it (`json_serialize_sql` of `SELECT 1 WHERE <filter>`): single-part column references whose name starts
 * with `payload.`, any case, each once, as identifiers. Names in string literals or comments are no references.
 */
export function typedNamesOf(ast: unknown): string[] {
  const names = new Map<string, string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    if (o.class === 'COLUMN_REF' && Array.isArray(o.column_names) && o.column_names.length === 1) {
      const name = String(o.column_names[0]);
      if (name.toLowerCase().startsWith(TYPED_PREFIX)) names.set(name.toLowerCase(), sqlIdentifier(name));
    }
    Object.values(o).forEach(walk);
  };
  walk(ast);
  return [...names.values()];
}

/**
 * The statement that selects a replay, in one pass of DuckDB over the de-duplicated stream table (archive ∪ live
 * tail): bounds, then compaction (the latest record per key: the highest sequence number in the shard the key was
 * written to last), then
 * the filter, numbered in original order (arrival time, then shard and sequence number). With compaction a key
 * whose latest record is a delete is kept as that delete whatever the filter says (unless deletes are dropped),
 * so a deleted key never comes back from a replay. DuckDB spills the window and the sort to disk past its memory
 * limit, so selections larger than memory plan without running out of it.
 */
export function planSelectSql(spec: ReplaySpec, carried: readonly string[] = []): string {
  const key = spec.compact ? spec.compact.key : 'partition_key';
  // With compaction the filter sees only the records compaction keeps (a key's older records may not satisfy what
  // the filter assumes, e.g. a cast that fails on an old value); without it, it is applied where the stream table is
  // read, so a field-column rewrite applies to it and DuckDB can push it into the scan.
  const where = spec.where ? `(${spec.where})` : 'true';
  const keep = !spec.compact ? 'true' : spec.compact.deletes === 'drop' ? `NOT __tomb AND ${where}` : `__tomb OR ${where}`;
  // A key's latest record: in the shard where the key was written last (by arrival time: a key changes shards only
  // in a reshard), the highest sequence number, which is exact where arrival times are only approximate.
  const picked = spec.compact
    ? `SELECT * FROM (SELECT *, max(arrival_time) OVER (PARTITION BY __key, shard_id) AS __shard_last FROM bounded)
       QUALIFY row_number() OVER (PARTITION BY __key ORDER BY __shard_last DESC, shard_id DESC, __pos DESC, sub_sequence_number DESC) = 1`
    : `SELECT * FROM bounded`;
  // The base columns by name, never `*`: any other column of the stream table (a field column named after a JSON
  // key such as `__key`) would otherwise sit beside the computed names and could take them over.
  const base = STREAM_COLUMNS.map((c) => sqlIdentifier(c.name)).join(', ');
  // With compaction the filter runs after it, over `picked`: the typed field columns it names (`carried`, from
  // typedNamesOf; virtual columns of the stream table) are carried through by name. They are TRY_CASTs, so reading
  // them for every record never fails where the filter would not.
  const extra = spec.compact ? carried.map((name) => `, ${name}`).join('') : '';
  return `WITH bounded AS (
  SELECT ${base}${extra}, ${POS} AS __pos, CAST((${key}) AS VARCHAR) AS __key, coalesce(CAST((${spec.tombstone}) AS BOOLEAN), false) AS __tomb
  FROM ${sqlIdentifier(spec.source)} WHERE ${boundsSql(spec)}${spec.compact ? '' : ` AND ${where}`}
), picked AS (${picked})
SELECT row_number() OVER (ORDER BY arrival_time, shard_id, __pos, sub_sequence_number) - 1 AS ordinal,
  shard_id, sequence_number, sub_sequence_number, partition_key, epoch_ms(arrival_time) AS arrival_ms, data,
  coalesce(__key, '') AS key, CASE WHEN __tomb THEN 'delete' ELSE 'upsert' END AS op
FROM picked WHERE ${keep}
ORDER BY ordinal`;
}

/**
 * Plans replays: checks a spec's SQL fragments exactly as the query gateway checks SQL (DuckDB's parser, one
 * stream table, sandboxed binding), then selects the records into a Parquet plan file in the order they are to
 * be written, and computes the watermarks and the summary a dry run shows.
 */
export class ReplayPlanner {
  constructor(
    private readonly queries: QueryService,
    private readonly options: ReplayPlannerOptions,
  ) {}

  /** Refuses a spec whose filter, compaction key or tombstone rule is not a valid fragment (400 at the API). */
  async check(spec: ReplaySpec): Promise<void> {
    if (spec.where) await this.queries.checkFragment(spec.source, spec.where, 'predicate', 'where');
    if (spec.compact) await this.queries.checkFragment(spec.source, spec.compact.key, 'expression', 'compact.key');
    await this.queries.checkFragment(spec.source, spec.tombstone, 'predicate', 'tombstone');
  }

  async plan(replayId: string, spec: ReplaySpec, signal?: AbortSignal): Promise<PlannedReplay> {
    const started = Date.now();
    const dir = resolve(this.options.workDir, replayId);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'plan.parquet');
    const range = { from: spec.from ? Date.parse(spec.from) : undefined, to: spec.until ? Date.parse(spec.until) : undefined };
    const file = sqlString(path);
    const upper = Boolean(spec.until || spec.untilSequence);
    return this.queries.withStreams(
      {
        streams: [spec.source],
        range,
        // Objects whose every shard range lies outside the per-shard sequence bounds are not scanned (a multi-shard
        // object stays while any of its shards may hold a record within them); the SQL below applies the bounds
        // themselves. With an upper bound the watermarks are read from the records under the upper bounds alone,
        // so then only those prune.
        sequenceBounds: upper ? { until: spec.untilSequence } : { from: spec.fromSequence },
        live: this.options.live,
        session: { timeoutMs: this.options.timeoutMs ?? 6 * 3_600_000, signal, memoryLimit: this.options.memoryLimit, outputDir: dir },
      },
      async (session, info) => {
        // Watermarks: per shard, the last record within the upper bounds, archived or live. Without an upper bound
        // that is each shard's tip when the replay started: the later of the catalog's checkpoint (the last archived
        // record) and the live tail, so only the live records are scanned; with one, the bounded records are.
        const marks = await session.all(
          `SELECT shard_id, max(${POS}) AS pos FROM ${sqlIdentifier(spec.source)} WHERE ${upper ? boundsSql(spec, true) : `source = 'live'`} GROUP BY shard_id`,
        );
        const watermarks = new Map(marks.map((m) => [String(m.shard_id), String(m.pos).replace(/^0+(?=\d)/, '')]));
        if (!upper) {
          for (const [shard, seq] of info.catalogWatermarks) {
            const have = watermarks.get(shard);
            if (have === undefined || BigInt(seq) > BigInt(have)) watermarks.set(shard, seq);
          }
        }
        // payload->>'path' in the key, the tombstone rule and (without compaction) the filter read the stream's field
        // columns where objects hold them.
        const carried =
          spec.compact && spec.where
            ? typedNamesOf(JSON.parse(String((await session.all(`SELECT json_serialize_sql(${sqlString(`SELECT 1 WHERE ${spec.where}`)}) AS ast`))[0].ast)))
            : [];
        await session.run(`COPY (${await session.rewrite(planSelectSql(spec, carried))}) TO ${file} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)`);
        // One pass over the plan for the per-shard counts; with compaction every key is in it once, so the distinct
        // keys need no second pass; the sample is the plan's first rows (row-group statistics on `ordinal`).
        const perShard = await session.all(
          `SELECT shard_id, count(*) AS n, coalesce(sum(octet_length(data)), 0) AS bytes, count(*) FILTER (WHERE op = 'delete') AS deletes,
             min(arrival_ms) AS first_ms, max(arrival_ms) AS last_ms
           FROM read_parquet(${file}) GROUP BY shard_id ORDER BY shard_id`,
        );
        const sum = (field: string) => perShard.reduce((n, r) => n + Number(r[field]), 0);
        const records = sum('n');
        const distinctKeys = spec.compact ? records : Number((await session.all(`SELECT count(DISTINCT key) AS keys FROM read_parquet(${file})`))[0].keys);
        const sample = await session.all(
          `SELECT shard_id, sequence_number, partition_key, arrival_ms, key, op, TRY(decode(data)) AS text, base64(data) AS b64
           FROM read_parquet(${file}) WHERE ordinal < ${SAMPLE_SIZE} ORDER BY ordinal`,
        );
        const firstMs = perShard.length ? Math.min(...perShard.map((r) => Number(r.first_ms))) : null;
        const lastMs = perShard.length ? Math.max(...perShard.map((r) => Number(r.last_ms))) : null;
        const iso = (ms: unknown) => (ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString());
        return {
          path,
          watermarks,
          summary: {
            records,
            bytes: sum('bytes'),
            distinctKeys,
            deletes: sum('deletes'),
            perShard: Object.fromEntries(perShard.map((r) => [String(r.shard_id), Number(r.n)])),
            objects: info.objects,
            liveRecords: info.liveRecords,
            sample: sample.map(sampleRecord),
            firstArrivalTime: iso(firstMs),
            lastArrivalTime: iso(lastMs),
            watermarks: Object.fromEntries(watermarks),
            planningMs: Date.now() - started,
          },
        };
      },
    );
  }
}

function sampleRecord(r: Record<string, unknown>): PlanSampleRecord {
  let payload: unknown = { base64: r.b64 };
  if (typeof r.text === 'string') {
    try {
      payload = JSON.parse(r.text);
    } catch {
      // not JSON: keep the bytes as base64
    }
  }
  return {
    shardId: String(r.shard_id),
    sequenceNumber: String(r.sequence_number),
    partitionKey: String(r.partition_key),
    arrivalTime: new Date(Number(r.arrival_ms)).toISOString(),
    key: String(r.key),
    op: r.op === 'delete' ? 'delete' : 'upsert',
    payload,
  };
}
