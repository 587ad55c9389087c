import { createHash } from 'node:crypto';
import type { CatalogSchemaField, CatalogStreamFormat, CatalogStringLengths } from '@flux-capacitor/persistence';

/** JSON types a field can hold; JSON null is recorded as nullability, not as a type. */
export type JsonFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/** Objects nested deeper than this are catalogued as `object` without their fields. */
export const MAX_SCHEMA_DEPTH = 8;
/** Past this many distinct paths (maps keyed by ids, say) new paths are ignored and `truncated` is set. */
export const MAX_SCHEMA_FIELDS = 500;
/**
 * The weight a field's stored string lengths keep when a batch is merged in: past this many strings, older ones
 * count as this many, so the mean follows the recent values (a field that turns into free text shows it after a
 * few objects, not after as many records as it ever had) and counts never grow without bound.
 */
export const MAX_LENGTH_WEIGHT = 100_000;

/** What one batch of records (usually one archive object) says about a stream's schema. */
export interface ObservedSchema {
  format: CatalogStreamFormat;
  fields: CatalogSchemaField[];
  /** paths of every object seen (root is ''): a field missing under a seen parent is nullable */
  parents: string[];
  jsonRecords: number;
  otherRecords: number;
  /** ISO-8601 arrival time of the first and last record observed */
  firstSeen: string;
  lastSeen: string;
  truncated: boolean;
}

interface FieldStats {
  types: Set<JsonFieldType>;
  present: number;
  nullSeen: boolean;
  firstSeen: number;
  lastSeen: number;
  /** string values seen, their total and largest UTF-8 length */
  strings: number;
  stringBytes: number;
  maxStringBytes: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function typeOf(value: unknown): JsonFieldType {
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(value) ? 'integer' : 'number';
    default:
      return 'object';
  }
}

function parentOf(path: string): string {
  if (path.endsWith('[]')) return path.slice(0, -2);
  const dot = path.lastIndexOf('.');
  return dot < 0 ? '' : path.slice(0, dot);
}

const childPath = (parent: string, key: string) => (parent === '' ? key : `${parent}.${key}`);

/**
 * Infers a JSON schema from records: each record's bytes are parsed as UTF-8 JSON; JSON objects contribute
 * their field paths (`a.b`, arrays as `items[]`, `items[].sku`), types and nullability. Records that are not a
 * JSON object count as `otherRecords`; a batch with no JSON object at all is `binary`.
 */
export class SchemaObserver {
  private readonly stats = new Map<string, FieldStats>();
  private readonly objectCounts = new Map<string, number>();
  /** parent path -> key -> child path, so the hot loop does not build the same strings for every record */
  private readonly childPaths = new Map<string, Map<string, string>>();
  private readonly elementPaths = new Map<string, string>();
  private jsonRecords = 0;
  private otherRecords = 0;
  private first = Number.POSITIVE_INFINITY;
  private last = Number.NEGATIVE_INFINITY;
  private truncated = false;

  /** Observes one record; `arrivalTimeMs` is its approximate arrival timestamp (epoch ms). */
  observe(data: Uint8Array, arrivalTimeMs: number): void {
    this.first = Math.min(this.first, arrivalTimeMs);
    this.last = Math.max(this.last, arrivalTimeMs);
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(data));
    } catch {
      this.otherRecords++;
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.otherRecords++;
      return;
    }
    this.jsonRecords++;
    this.walkObject('', value as Record<string, unknown>, arrivalTimeMs, 0);
  }

  get recordCount(): number {
    return this.jsonRecords + this.otherRecords;
  }

  result(): ObservedSchema {
    if (this.recordCount === 0) throw new Error('no records observed');
    const fields: CatalogSchemaField[] = [...this.stats.entries()]
      .map(([path, s]) => {
        const field: CatalogSchemaField = {
          path,
          types: [...s.types].sort(),
          nullable: s.nullSeen || (!path.endsWith('[]') && s.present < (this.objectCounts.get(parentOf(path)) ?? 0)),
          firstSeen: new Date(s.firstSeen).toISOString(),
          lastSeen: new Date(s.lastSeen).toISOString(),
        };
        if (s.strings > 0) field.stringLengths = { count: s.strings, meanBytes: roundMean(s.stringBytes / s.strings), maxBytes: s.maxStringBytes };
        return field;
      })
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      format: this.jsonRecords > 0 ? 'json' : 'binary',
      fields,
      parents: [...this.objectCounts.keys()].sort(),
      jsonRecords: this.jsonRecords,
      otherRecords: this.otherRecords,
      firstSeen: new Date(this.first).toISOString(),
      lastSeen: new Date(this.last).toISOString(),
      truncated: this.truncated,
    };
  }

  private walkObject(path: string, obj: Record<string, unknown>, t: number, depth: number): void {
    this.objectCounts.set(path, (this.objectCounts.get(path) ?? 0) + 1);
    if (depth >= MAX_SCHEMA_DEPTH) return;
    let children = this.childPaths.get(path);
    if (!children) this.childPaths.set(path, (children = new Map()));
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
      let child = children.get(key);
      if (child === undefined) children.set(key, (child = childPath(path, key)));
      this.visit(child, obj[key], t, depth + 1);
    }
  }

  private visit(path: string, value: unknown, t: number, depth: number): void {
    let s = this.stats.get(path);
    if (!s) {
      if (this.stats.size >= MAX_SCHEMA_FIELDS) {
        this.truncated = true;
        return;
      }
      s = { types: new Set(), present: 0, nullSeen: false, firstSeen: t, lastSeen: t, strings: 0, stringBytes: 0, maxStringBytes: 0 };
      this.stats.set(path, s);
    }
    if (t < s.firstSeen) s.firstSeen = t;
    if (t > s.lastSeen) s.lastSeen = t;
    if (value === null) {
      s.nullSeen = true;
      return;
    }
    const type = typeOf(value);
    s.types.add(type);
    s.present++;
    if (type === 'string') {
      // bytes, as a field column would store the value (not UTF-16 code units)
      const bytes = Buffer.byteLength(value as string, 'utf8');
      s.strings++;
      s.stringBytes += bytes;
      if (bytes > s.maxStringBytes) s.maxStringBytes = bytes;
    }
    if (type === 'object') this.walkObject(path, value as Record<string, unknown>, t, depth);
    else if (type === 'array' && depth < MAX_SCHEMA_DEPTH) {
      let element = this.elementPaths.get(path);
      if (element === undefined) this.elementPaths.set(path, (element = `${path}[]`));
      for (const item of value as unknown[]) this.visit(element, item, t, depth + 1);
    }
  }
}

const roundMean = (mean: number) => Math.round(mean * 100) / 100;

/**
 * Both sides' string lengths as one: means weighted by count, the stored side's count capped at MAX_LENGTH_WEIGHT
 * first. A side without lengths (none of its values was a string, or it was stored before lengths were measured)
 * adds nothing: unknown is not zero.
 */
export function mergeStringLengths(stored: CatalogStringLengths | undefined, seen: CatalogStringLengths | undefined): CatalogStringLengths | undefined {
  if (!stored || !(stored.count > 0)) return seen;
  if (!seen || !(seen.count > 0)) return stored;
  const weight = Math.min(stored.count, MAX_LENGTH_WEIGHT);
  const count = weight + seen.count;
  return {
    count: Math.min(count, MAX_LENGTH_WEIGHT),
    meanBytes: roundMean((stored.meanBytes * weight + seen.meanBytes * seen.count) / count),
    maxBytes: Math.max(stored.maxBytes, seen.maxBytes),
  };
}

/** A schema as stored: format and fields. */
export interface SchemaSnapshot {
  format: CatalogStreamFormat;
  fields: CatalogSchemaField[];
}

/**
 * Merges what a batch shows into the stream's current schema (cumulative: a field once seen stays). A field
 * that appears only now, under a parent older records already had, is nullable (older records lack it); a field
 * whose parent the batch saw without it becomes nullable. First/last seen widen; string lengths merge
 * (mergeStringLengths).
 */
export function mergeSchema(current: SchemaSnapshot | null, observed: ObservedSchema): SchemaSnapshot {
  // A batch larger than MAX_LENGTH_WEIGHT strings (FLUX_CATALOG_SCHEMA_SAMPLE_RECORDS allows it) is stored capped too.
  const capped = (f: CatalogSchemaField): CatalogSchemaField =>
    f.stringLengths && f.stringLengths.count > MAX_LENGTH_WEIGHT ? { ...f, stringLengths: { ...f.stringLengths, count: MAX_LENGTH_WEIGHT } } : f;
  if (!current) return { format: observed.format, fields: observed.fields.map(capped) };
  const parentsNow = new Set(observed.parents);
  const parentsBefore = new Set(['', ...current.fields.filter((f) => f.types.includes('object')).map((f) => f.path)]);
  const byPath = new Map(current.fields.map((f) => [f.path, { ...f, types: [...f.types] }]));
  for (const f of observed.fields) {
    const old = byPath.get(f.path);
    if (!old) {
      const parent = parentOf(f.path);
      const olderRecordsLackIt = current.format === 'json' && !f.path.endsWith('[]') && parentsBefore.has(parent);
      byPath.set(f.path, { ...capped(f), nullable: f.nullable || olderRecordsLackIt });
      continue;
    }
    old.types = [...new Set([...old.types, ...f.types])].sort();
    old.nullable = old.nullable || f.nullable;
    if (f.firstSeen < old.firstSeen) old.firstSeen = f.firstSeen;
    if (f.lastSeen > old.lastSeen) old.lastSeen = f.lastSeen;
    const lengths = mergeStringLengths(old.stringLengths, f.stringLengths);
    if (lengths) old.stringLengths = lengths;
  }
  const seenPaths = new Set(observed.fields.map((f) => f.path));
  for (const f of byPath.values()) {
    if (!seenPaths.has(f.path) && !f.path.endsWith('[]') && parentsNow.has(parentOf(f.path))) f.nullable = true;
  }
  const fields = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { format: current.format === 'json' || observed.format === 'json' ? 'json' : 'binary', fields };
}

/**
 * Identifies a schema by its format, paths, types and nullability (not by when fields were seen, nor by their
 * string lengths: those move with every batch and are updated in the latest version, never a new one).
 */
export function schemaFingerprint(schema: SchemaSnapshot): string {
  const canonical = JSON.stringify([schema.format, schema.fields.map((f) => [f.path, [...f.types].sort(), f.nullable])]);
  return createHash('sha256').update(canonical).digest('hex');
}
