import { InvalidArgumentError } from 'commander';
import { parseTailFrom, recordLine, type TailRecord } from './tail.command';

const record = (data: Buffer, payload: unknown): TailRecord => ({
  shardId: 'shardId-000000000000',
  sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
  partitionKey: 'c-1',
  arrivalTime: '2026-12-01T12:00:00.000Z',
  data: data.toString('base64'),
  payload,
});

describe('recordLine', () => {
  it('prints the JSON payload, else the data as text, else base64; --json the whole record', () => {
    expect(recordLine(record(Buffer.from('{"a": 1}'), { a: 1 }), false)).toBe('{"a":1}');
    expect(recordLine(record(Buffer.from('two\nlines'), null), false)).toBe('two\\nlines');
    expect(recordLine(record(Buffer.from([0xff, 0xfe, 0x00]), null), false)).toBe('//4A');
    const full = record(Buffer.from('x'), null);
    expect(JSON.parse(recordLine(full, true))).toEqual(full);
  });
});

describe('parseTailFrom', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  it('takes latest, earliest, an ISO time or an age', () => {
    expect(parseTailFrom('latest', now)).toBe('latest');
    expect(parseTailFrom('EARLIEST', now)).toBe('earliest');
    expect(parseTailFrom('2026-12-01T11:00:00Z', now)).toEqual({ at: '2026-12-01T11:00:00.000Z' });
    expect(parseTailFrom('5m', now)).toEqual({ at: '2026-12-01T11:55:00.000Z' });
  });
  it('refuses anything else as a bad value (a usage error)', () => {
    expect(() => parseTailFrom('yesterday-ish', now)).toThrow(InvalidArgumentError);
  });
});
