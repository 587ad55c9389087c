import fc from 'fast-check';
import { base64DecodedBytes, scanGetRecords, wireDataBytes, wireDataStartsWith, wireRecordsText } from './get-records-body';

interface Body {
  Records?: unknown;
  [key: string]: unknown;
}

/** What JSON.parse makes of a body: the reference the scanner must agree with. */
function reference(text: string) {
  const parsed = JSON.parse(text) as Body;
  const { Records, ...envelope } = parsed;
  return { records: (Records as Record<string, unknown>[] | undefined) ?? [], envelope: 'Records' in parsed ? { ...envelope, Records: [] } : envelope };
}

const plain = (r: { SequenceNumber: string; ApproximateArrivalTimestamp: number; Data: string; PartitionKey: string }) => ({
  SequenceNumber: r.SequenceNumber,
  ApproximateArrivalTimestamp: r.ApproximateArrivalTimestamp,
  Data: r.Data,
  PartitionKey: r.PartitionKey,
});

const record = fc.record({
  SequenceNumber: fc.bigInt({ min: 0n, max: 10n ** 56n }).map(String),
  ApproximateArrivalTimestamp: fc.oneof(fc.double({ min: 0, max: 4e9, noNaN: true }), fc.integer({ min: 0, max: 2 ** 31 })),
  Data: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64')),
  // any text: quotes, backslashes, control characters, non-BMP characters and lone surrogates, all escaped by JSON
  PartitionKey: fc.oneof(fc.string({ unit: 'binary', maxLength: 16 }), fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\ud800', 'ż', '🦀', '/', 'a'), maxLength: 16 })),
  // fields AWS adds or may add: left alone
  extra: fc.option(fc.oneof(fc.constant('KMS'), fc.constant(null), fc.constant({ nested: [1, { x: '}]' }] })), { nil: undefined }),
});

/** A record as JSON with its keys in any order, unknown fields under their AWS names. */
const recordJson = fc.tuple(record, fc.integer({ min: 0, max: 23 })).map(([r, order]) => {
  const entries: [string, unknown][] = [
    ['SequenceNumber', r.SequenceNumber],
    ['ApproximateArrivalTimestamp', r.ApproximateArrivalTimestamp],
    ['Data', r.Data],
    ['PartitionKey', r.PartitionKey],
  ];
  // a permutation of the four, chosen by `order` (0..23)
  const permuted: [string, unknown][] = [];
  const rest = [...entries];
  let n = order;
  for (let k = 4; k > 0; k--) {
    permuted.push(...rest.splice(n % k, 1));
    n = Math.floor(n / k);
  }
  if (r.extra !== undefined) permuted.splice(order % 5, 0, ['EncryptionType', r.extra]);
  return Object.fromEntries(permuted);
});

const body = fc
  .record({
    records: fc.array(recordJson, { maxLength: 8 }),
    iterator: fc.string({ maxLength: 40 }),
    behind: fc.nat(),
    childShards: fc.option(fc.constant([{ ShardId: 'shardId-000000000001', ParentShards: ['shardId-000000000000'], HashKeyRange: { StartingHashKey: '0', EndingHashKey: '9' } }]), { nil: undefined }),
    recordsFirst: fc.boolean(),
    indent: fc.constantFrom(undefined, 1, '\t'),
  })
  .map(({ records, iterator, behind, childShards, recordsFirst, indent }) => {
    const envelope = { NextShardIterator: iterator, MillisBehindLatest: behind, ...(childShards ? { ChildShards: childShards } : {}) };
    return JSON.stringify(recordsFirst ? { Records: records, ...envelope } : { ...envelope, Records: records }, null, indent);
  });

describe('scanGetRecords', () => {
  it('reads the same records and envelope as JSON.parse, whatever the order of keys, the escapes and the whitespace', () => {
    fc.assert(
      fc.property(body, (text) => {
        const bytes = Buffer.from(text);
        const { records, envelope } = scanGetRecords(bytes);
        const expected = reference(text);
        // The records' objects, whole (keys AWS adds too), one after another with only whitespace between.
        const objects = wireRecordsText(records);
        if (records.length === 0) expect(objects).toBeUndefined();
        else {
          const first = records[0];
          const last = records[records.length - 1];
          expect(objects!.buffer).toBe(bytes.buffer);
          expect([objects!.byteOffset - bytes.byteOffset, objects!.byteLength]).toEqual([first.objectStart, last.objectEnd - first.objectStart]);
          for (const [i, r] of records.entries()) {
            expect(JSON.parse(bytes.toString('utf8', r.objectStart, r.objectEnd))).toEqual(expected.records[i]);
            if (i > 0) expect(bytes.toString('utf8', records[i - 1].objectEnd, r.objectStart)).toMatch(/^\s+$/u);
          }
        }
        expect(records).toHaveLength(expected.records.length);
        // size and prefix first, read from the body: reading Data keeps it as a string
        for (const [i, r] of records.entries()) {
          const data = (expected.records[i] as { Data: string }).Data;
          expect(wireDataBytes(r)).toBe(Buffer.from(data, 'base64').byteLength);
          expect(wireDataStartsWith(r, data.slice(0, 3))).toBe(true);
          expect(wireDataStartsWith(r, `${data}A`)).toBe(false);
        }
        expect(records.map(plain)).toEqual(expected.records.map((r) => plain(r as never)));
        expect(records.map((r) => JSON.parse(JSON.stringify(r)) as unknown)).toEqual(expected.records.map((r) => plain(r as never)));
        expect(JSON.parse(envelope)).toEqual(expected.envelope);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the data in the body until it is asked for, and reads escaped data as JSON.parse does', () => {
    const text = '{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1.5,"Data":"AAE\\/","PartitionKey":"k"},{"SequenceNumber":"2","ApproximateArrivalTimestamp":2,"Data":"QUJD","PartitionKey":"\\u017c"}],"MillisBehindLatest":0}';
    const { records, envelope } = scanGetRecords(Buffer.from(text));
    expect(records.map(plain)).toEqual([
      { SequenceNumber: '1', ApproximateArrivalTimestamp: 1.5, Data: 'AAE/', PartitionKey: 'k' },
      { SequenceNumber: '2', ApproximateArrivalTimestamp: 2, Data: 'QUJD', PartitionKey: 'ż' },
    ]);
    expect(records.map((r) => r.dataBytes)).toEqual([3, 3]);
    expect(JSON.parse(envelope)).toEqual({ Records: [], MillisBehindLatest: 0 });
  });

  it('counts the decoded bytes of any base64 length and padding', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 1000]) {
      const data = Buffer.alloc(n, 7).toString('base64');
      expect(base64DecodedBytes(data)).toBe(n);
      const [r] = scanGetRecords(Buffer.from(JSON.stringify({ Records: [{ SequenceNumber: '1', ApproximateArrivalTimestamp: 1, Data: data, PartitionKey: 'k' }] }))).records;
      expect(r.dataBytes).toBe(n);
    }
  });

  it('refuses what JSON.parse refuses, and records that lack a field or have one of the wrong type', () => {
    const ok = { SequenceNumber: '1', ApproximateArrivalTimestamp: 1, Data: 'QQ==', PartitionKey: 'k' };
    const bad = [
      '{"Records":[',
      '{"Records":[]',
      '{"Records":[]}x',
      '{"Records":[] "MillisBehindLatest":0}',
      '{"Records":[{"SequenceNumber":"1\n","ApproximateArrivalTimestamp":1,"Data":"QQ==","PartitionKey":"k"}]}',
      '{"Records":[{"SequenceNumber":"1","ApproximateArrivalTimestamp":1,"Data":"QQ==,"PartitionKey":"k"}]}',
      '{"MillisBehindLatest":tru,"Records":[]}',
    ];
    for (const text of bad) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(() => scanGetRecords(Buffer.from(text)), text).toThrow(SyntaxError);
    }
    const wrong = [{ ...ok, Data: 7 }, { ...ok, SequenceNumber: 1 }, { ...ok, ApproximateArrivalTimestamp: '1' }, { ...ok, PartitionKey: null }, { ...ok, Data: undefined }];
    for (const r of wrong) expect(() => scanGetRecords(Buffer.from(JSON.stringify({ Records: [r] })))).toThrow(/a record lacks/);
    expect(() => scanGetRecords(Buffer.from('{"Records":{}}'))).toThrow(/Records is not an array/);
    expect(scanGetRecords(Buffer.from('{"MillisBehindLatest":5}'))).toEqual({ records: [], envelope: '{"MillisBehindLatest":5}' });
  });

  it("gives the records' objects as a span of the body for a run of consecutive records of one page, and nothing otherwise", () => {
    const page = (n: number) => JSON.stringify({ Records: Array.from({ length: n }, (_, i) => ({ SequenceNumber: String(i), ApproximateArrivalTimestamp: 1, Data: 'QQ==', PartitionKey: `k${i}` })) });
    const body = Buffer.from(page(5));
    const { records } = scanGetRecords(body);
    const lines = (b: Buffer | undefined) => b?.toString().split('\n').map((l) => (JSON.parse(l) as { SequenceNumber: string }).SequenceNumber);
    expect(lines(wireRecordsText(records))).toEqual(['0', '1', '2', '3', '4']);
    expect(lines(wireRecordsText(records.slice(1, 4)))).toEqual(['1', '2', '3']);
    expect(wireRecordsText([records[0], records[2]])).toBeUndefined();
    expect(wireRecordsText([records[1], records[0]])).toBeUndefined();
    expect(wireRecordsText([...records, ...scanGetRecords(Buffer.from(page(2))).records])).toBeUndefined();
    expect(wireRecordsText([{ SequenceNumber: '1', ApproximateArrivalTimestamp: 1, Data: 'QQ==', PartitionKey: 'k' }])).toBeUndefined();
    expect(wireRecordsText([])).toBeUndefined();
  });
});
