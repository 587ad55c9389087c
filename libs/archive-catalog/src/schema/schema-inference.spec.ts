import { MAX_LENGTH_WEIGHT, MAX_SCHEMA_FIELDS, SchemaObserver, mergeSchema, mergeStringLengths, schemaFingerprint, type ObservedSchema } from './schema-inference';

const enc = new TextEncoder();
const t0 = Date.parse('2026-11-25T10:00:00.000Z');

function observe(records: unknown[], start = t0): ObservedSchema {
  const o = new SchemaObserver();
  records.forEach((r, i) => o.observe(r instanceof Uint8Array ? r : enc.encode(typeof r === 'string' ? r : JSON.stringify(r)), start + i * 1000));
  return o.result();
}

const shape = (s: { fields: { path: string; types: string[]; nullable: boolean }[] }) =>
  Object.fromEntries(s.fields.map((f) => [f.path, `${f.types.join('|')}${f.nullable ? '?' : ''}`]));

describe('SchemaObserver', () => {
  it('infers field paths, types and nullability of JSON records, nested objects and arrays included', () => {
    const s = observe([
      { id: 1, user: { name: 'a', age: 30 }, items: [{ sku: 'x', qty: 1 }], price: 9.5, ok: true },
      { id: 2, user: { name: 'b' }, items: [{ sku: 'y', qty: 2.5 }, null], price: 10, ok: null, note: 'n' },
    ]);
    expect(s.format).toBe('json');
    expect(shape(s)).toEqual({
      id: 'integer',
      items: 'array',
      'items[]': 'object?',
      'items[].qty': 'integer|number',
      'items[].sku': 'string',
      note: 'string?',
      ok: 'boolean?',
      price: 'integer|number',
      user: 'object',
      'user.age': 'integer?',
      'user.name': 'string',
    });
    expect(s.jsonRecords).toBe(2);
    expect(s.fields.find((f) => f.path === 'note')).toMatchObject({
      firstSeen: '2026-11-25T10:00:01.000Z',
      lastSeen: '2026-11-25T10:00:01.000Z',
    });
    expect(s.fields.find((f) => f.path === 'id')).toMatchObject({
      firstSeen: '2026-11-25T10:00:00.000Z',
      lastSeen: '2026-11-25T10:00:01.000Z',
    });
  });

  it('catalogues a stream of non-JSON bytes as binary', () => {
    const s = observe([new Uint8Array([0xff, 0xfe, 0x00]), 'plain text', '42', '[1,2]']);
    expect(s).toMatchObject({ format: 'binary', fields: [], jsonRecords: 0, otherRecords: 4 });
  });

  it('counts non-JSON records beside JSON ones without failing the batch', () => {
    const s = observe([{ a: 1 }, 'garbage', { a: 2 }]);
    expect(s).toMatchObject({ format: 'json', jsonRecords: 2, otherRecords: 1 });
    expect(shape(s)).toEqual({ a: 'integer' });
  });

  it('measures the UTF-8 length of string values per path: their count, mean and max, strings only', () => {
    const s = observe([
      { s: 'ab', mixed: 'abcd', n: 1, u: { city: 'Łódź' }, tags: ['x', 'yyy'] },
      { s: 'abcdef', mixed: 12345, n: null, u: { city: '' } },
      { s: null, mixed: 'ab' },
      'not json',
    ]);
    const lengths = Object.fromEntries(s.fields.map((f) => [f.path, f.stringLengths]));
    expect(lengths).toEqual({
      s: { count: 2, meanBytes: 4, maxBytes: 6 },
      mixed: { count: 2, meanBytes: 3, maxBytes: 4 }, // the integer is no string: not measured
      n: undefined,
      u: undefined,
      'u.city': { count: 2, meanBytes: 3.5, maxBytes: 7 }, // bytes, not characters: 'Łódź' is 7
      tags: undefined,
      'tags[]': { count: 2, meanBytes: 2, maxBytes: 3 },
    });
  });

  it('stops adding paths past the field cap and says so', () => {
    const wide = Object.fromEntries(Array.from({ length: MAX_SCHEMA_FIELDS + 10 }, (_, i) => [`k${i}`, i]));
    const s = observe([wide]);
    expect(s.fields).toHaveLength(MAX_SCHEMA_FIELDS);
    expect(s.truncated).toBe(true);
  });
});

describe('mergeSchema', () => {
  it('marks a field new in later records nullable (older ones lack it), and a vanished field nullable', () => {
    const v1 = mergeSchema(null, observe([{ id: 1, old: 'x', user: { name: 'a' } }]));
    expect(shape(v1)).toEqual({ id: 'integer', old: 'string', user: 'object', 'user.name': 'string' });
    const v2 = mergeSchema(v1, observe([{ id: 'abc', user: { name: 'b', email: 'e' } }], t0 + 60_000));
    expect(shape(v2)).toEqual({
      id: 'integer|string',
      old: 'string?',
      user: 'object',
      'user.email': 'string?',
      'user.name': 'string',
    });
    const id = v2.fields.find((f) => f.path === 'id')!;
    expect([id.firstSeen, id.lastSeen]).toEqual(['2026-11-25T10:00:00.000Z', '2026-11-25T10:01:00.000Z']);
  });

  it('keeps the fingerprint when a batch brings nothing new, and changes it when it does', () => {
    const v1 = mergeSchema(null, observe([{ a: 1 }]));
    const same = mergeSchema(v1, observe([{ a: 2 }], t0 + 3_600_000));
    expect(schemaFingerprint(same)).toBe(schemaFingerprint(v1));
    expect(same.fields[0].lastSeen).toBe('2026-11-25T11:00:00.000Z');
    const widened = mergeSchema(v1, observe([{ a: 2.5 }]));
    expect(schemaFingerprint(widened)).not.toBe(schemaFingerprint(v1));
  });

  it('merges string lengths across batches without a new version, and fills in a schema stored without them', () => {
    const v1 = mergeSchema(null, observe([{ note: 'a'.repeat(10), id: 1 }, { note: 'a'.repeat(30), id: 2 }]));
    expect(v1.fields.find((f) => f.path === 'note')!.stringLengths).toEqual({ count: 2, meanBytes: 20, maxBytes: 30 });
    const v2 = mergeSchema(v1, observe([{ note: 'a'.repeat(500), id: 3 }, { note: 'a'.repeat(300), id: 4 }]));
    expect(v2.fields.find((f) => f.path === 'note')!.stringLengths).toEqual({ count: 4, meanBytes: 210, maxBytes: 500 });
    expect(v2.fields.find((f) => f.path === 'id')!.stringLengths).toBeUndefined();
    // lengths moving is no schema change
    expect(schemaFingerprint(v2)).toBe(schemaFingerprint(v1));
    // a version stored before lengths were measured: its fingerprint is the same, the next batch measures them
    const old = { format: v1.format, fields: v1.fields.map(({ stringLengths: _, ...f }) => f) };
    expect(schemaFingerprint(old)).toBe(schemaFingerprint(v1));
    const filled = mergeSchema(old, observe([{ note: 'abc', id: 5 }]));
    expect(filled.fields.find((f) => f.path === 'note')!.stringLengths).toEqual({ count: 1, meanBytes: 3, maxBytes: 3 });
    expect(schemaFingerprint(filled)).toBe(schemaFingerprint(v1));
    // a batch without strings at a path keeps what is stored
    expect(mergeSchema(v2, observe([{ id: 6, note: null }])).fields.find((f) => f.path === 'note')!.stringLengths).toEqual({ count: 4, meanBytes: 210, maxBytes: 500 });
  });

  it('weighs stored lengths at most MAX_LENGTH_WEIGHT strings, so the mean follows a field whose values change', () => {
    const long = { count: 10 * MAX_LENGTH_WEIGHT, meanBytes: 900, maxBytes: 2000 };
    const merged = mergeStringLengths(long, { count: MAX_LENGTH_WEIGHT, meanBytes: 10, maxBytes: 12 })!;
    expect(merged).toEqual({ count: MAX_LENGTH_WEIGHT, meanBytes: 455, maxBytes: 2000 });
    expect(mergeStringLengths(undefined, undefined)).toBeUndefined();
    expect(mergeStringLengths(long, undefined)).toBe(long);
    expect(mergeStringLengths(undefined, long)).toBe(long);
    // a first batch larger than the weight is stored capped, as a new path is
    const big = observe(Array.from({ length: MAX_LENGTH_WEIGHT + 5 }, () => ({ s: 'ab' })));
    expect(mergeSchema(null, big).fields.find((f) => f.path === 's')!.stringLengths).toEqual({ count: MAX_LENGTH_WEIGHT, meanBytes: 2, maxBytes: 2 });
    expect(mergeSchema({ format: 'json', fields: [] }, big).fields.find((f) => f.path === 's')!.stringLengths!.count).toBe(MAX_LENGTH_WEIGHT);
  });

  it('turns a binary stream into JSON when JSON records appear, never back', () => {
    const bin = mergeSchema(null, observe(['not json']));
    expect(bin.format).toBe('binary');
    const json = mergeSchema(bin, observe([{ a: 1 }]));
    expect(json.format).toBe('json');
    expect(shape(json)).toEqual({ a: 'integer' });
    expect(mergeSchema(json, observe(['still not json'])).format).toBe('json');
  });
});
