import { createHash, randomBytes } from 'node:crypto';
import { aggregate, deaggregate, KPL_MAGIC, startsWithKplMagic } from './kpl-aggregation';

describe('KPL de-aggregation', () => {
  it('splits an aggregate into user records numbered by sub-sequence, with their own keys', () => {
    const users = [
      { partitionKey: 'a', data: Buffer.from('{"n":1}') },
      { partitionKey: 'b', explicitHashKey: '12345', data: randomBytes(300) },
      { partitionKey: 'a', data: Buffer.alloc(0) },
    ];
    const out = deaggregate(aggregate(users), 'outer-key', null);
    expect(out).toHaveLength(3);
    expect(out.map((u) => [u.subSequenceNumber, u.partitionKey, u.explicitHashKey])).toEqual([
      [0, 'a', null],
      [1, 'b', '12345'],
      [2, 'a', null],
    ]);
    out.forEach((u, i) => expect(Buffer.from(u.data).equals(users[i].data)).toBe(true));
  });

  it('decodes a hand-built protobuf the way the KPL writes it', () => {
    // partition_key_table: ["pk"], records: [{partition_key_index: 0, data: "hi"}]
    const message = Buffer.from([0x0a, 0x02, 0x70, 0x6b, 0x1a, 0x06, 0x08, 0x00, 0x1a, 0x02, 0x68, 0x69]);
    const record = Buffer.concat([KPL_MAGIC, message, createHash('md5').update(message).digest()]);
    expect(deaggregate(record, 'outer', null)).toEqual([
      { subSequenceNumber: 0, partitionKey: 'pk', explicitHashKey: null, data: Buffer.from('hi') },
    ]);
  });

  it('keeps a record that only looks like an aggregate (bad checksum) as one record, byte for byte', () => {
    const agg = aggregate([{ partitionKey: 'a', data: Buffer.from('x') }]);
    agg[agg.length - 1] ^= 0xff;
    const out = deaggregate(agg, 'outer', 'ehk');
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ subSequenceNumber: 0, partitionKey: 'outer', explicitHashKey: 'ehk' });
    expect(Buffer.from(out[0].data).equals(agg)).toBe(true);
  });

  it('keeps plain and binary records as they are', () => {
    const data = Buffer.from([0xf3, 0x89, 0x9a]);
    expect(deaggregate(data, 'k', null)).toEqual([{ subSequenceNumber: 0, partitionKey: 'k', explicitHashKey: null, data }]);
  });

  it('looks for the magic bytes only in data long enough to be an aggregate (magic + MD5)', () => {
    const magicThen = (n: number) => Buffer.concat([KPL_MAGIC, Buffer.alloc(n)]);
    expect(startsWithKplMagic(magicThen(16))).toBe(true);
    expect(startsWithKplMagic(magicThen(15))).toBe(false);
    expect(startsWithKplMagic(new Uint8Array(0))).toBe(false);
    for (let i = 0; i < 4; i++) {
      const data = magicThen(16);
      data[i] ^= 0x01;
      expect(startsWithKplMagic(data)).toBe(false);
    }
    // A Uint8Array view into a larger buffer is checked from its own first byte.
    const backing = Buffer.concat([Buffer.from([0, 0]), magicThen(16)]);
    expect(startsWithKplMagic(new Uint8Array(backing.buffer, backing.byteOffset + 2, backing.length - 2))).toBe(true);
    expect(startsWithKplMagic(aggregate([{ partitionKey: 'a', data: Buffer.alloc(0) }]))).toBe(true);
  });
});
