import { CliError } from '../cli-error';
import { lineRecord } from './produce.command';

describe('lineRecord', () => {
  const text = (r: { data: Uint8Array } | undefined) => Buffer.from(r?.data ?? []).toString('utf8');

  it('keeps the line as it is and takes the key from a (dotted) JSON field', () => {
    const line = '{"customer":{"id":"c-7"},"type":"order.paid"}';
    const record = lineRecord(line, 1, ['customer', 'id']);
    expect(record?.key).toBe('c-7');
    expect(text(record)).toBe(line);
    expect(lineRecord('{"n":42}', 1, ['n'])?.key).toBe('42');
  });

  it('keeps a numeric key as written, however large', () => {
    expect(lineRecord('{"account":12345678901234567890}', 1, ['account'])?.key).toBe('12345678901234567890');
    expect(lineRecord('{"id":{"n":9007199254740993}}', 1, ['id', 'n'])?.key).toBe('9007199254740993');
  });

  it('gives plain lines a random key without --key and skips empty lines', () => {
    expect(lineRecord('hello world\r', 1, undefined, () => 'random')).toEqual({ key: 'random', data: Buffer.from('hello world') });
    expect(lineRecord('   ', 2, undefined)).toBeUndefined();
  });

  it('names the line when --key cannot be found', () => {
    expect(() => lineRecord('not json', 3, ['customer'])).toThrow(new CliError('line 3: --key customer needs JSON lines, and this line is not JSON'));
    expect(() => lineRecord('{"other":1}', 4, ['customer'])).toThrow(/^line 4: no string or number at customer/);
    expect(() => lineRecord('{"customer":{"id":true}}', 5, ['customer', 'id'])).toThrow(/^line 5: /);
  });
});
