import { randomBytes } from 'node:crypto';
import { fromBase64 } from '@smithy/core/serde';
import { createKinesisClient } from './clients';
import { decodeBase64Strict, KinesisJsonProtocol } from './kinesis-json-protocol';

describe('decodeBase64Strict', () => {
  it('decodes what the SDK decodes, byte for byte', () => {
    for (const bytes of [Buffer.alloc(0), Buffer.from([0]), Buffer.from([0xff, 0xfe]), Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(1024), randomBytes(1_048_576)]) {
      const text = bytes.toString('base64');
      expect(Buffer.from(decodeBase64Strict(text)).equals(Buffer.from(fromBase64(text)))).toBe(true);
      expect(Buffer.from(decodeBase64Strict(text)).equals(bytes)).toBe(true);
    }
  });

  it('refuses what the SDK refuses', () => {
    for (const text of ['abc', 'ab$d', 'ab d', 'ab\nd', 'ab==cd==', 'Y===', '====', 'ab-_', 'YW_j', 'YWJj\u00e9AAA']) {
      expect(() => fromBase64(text), text).toThrow(TypeError);
      expect(() => decodeBase64Strict(text), text).toThrow(TypeError);
    }
  });
});

describe('createKinesisClient', () => {
  it('decodes records with KinesisJsonProtocol', () => {
    const client = createKinesisClient({ region: 'us-east-1', endpoints: { kinesis: 'http://127.0.0.1:1' }, s3ForcePathStyle: true });
    expect(client.config.protocol).toBeInstanceOf(KinesisJsonProtocol);
    client.destroy();
  });
});
