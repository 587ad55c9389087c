import { keyOf, parseKeySpec, payloadValue, renderState, renderSummary } from './consume.command';

const rec = (data: string | Buffer, partitionKey = 'pk') => ({ partitionKey, data: typeof data === 'string' ? Buffer.from(data) : data });

describe('fluxcap consume helpers', () => {
  it('reads --key as the partition key or a dotted path into the JSON payload', () => {
    expect(keyOf(parseKeySpec('partition_key'), rec('{}', 'p1'))).toBe('p1');
    const spec = parseKeySpec('payload.order.id');
    expect(keyOf(spec, rec('{"order":{"id":"o-7"}}'))).toBe('o-7');
    expect(keyOf(spec, rec('{"order":{"id":42}}'))).toBe('42');
    expect(keyOf(spec, rec('{"order":{}}'))).toBeUndefined();
    expect(keyOf(spec, rec('{"order":{"id":{"x":1}}}'))).toBeUndefined();
    expect(keyOf(spec, rec(Buffer.from([0xff, 0x00])))).toBeUndefined();
    expect(() => parseKeySpec('payload.')).toThrow(/--key takes partition_key or payload/);
    expect(() => parseKeySpec('id')).toThrow(/--key/);
  });

  it('keeps JSON payloads as JSON and anything else as base64', () => {
    expect(payloadValue(Buffer.from('{"a":[1,2]}'))).toEqual({ a: [1, 2] });
    expect(payloadValue(Buffer.from('"s"'))).toBe('s');
    expect(payloadValue(Buffer.from([0xff, 0x00, 0x01]))).toBe('/wAB');
    expect(payloadValue(Buffer.from('not json'))).toBe(Buffer.from('not json').toString('base64'));
  });

  it('writes the state as one JSON object with sorted keys', () => {
    const out = renderState(new Map<string, unknown>([['b', 2], ['a', { x: 1 }], ['c', 'AA==']]));
    expect(Object.keys(JSON.parse(out))).toEqual(['a', 'b', 'c']);
  });

  it('summarizes applied and skipped records per reason', () => {
    const line = renderSummary({ mode: 'sdk', streams: ['orders'], shards: 2, records: 7, applied: 4, skipped: 3, reasons: { new: 3, newer: 1, older: 1, marker: 2 }, keys: 3, out: 's.json' });
    expect(line).toBe('read 7 records from 2 shards of orders; applied 4 (new 3, newer 1), skipped 3 (older 1, marker 2); 3 keys written to s.json');
  });
});
