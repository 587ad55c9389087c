import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { KPL_MAGIC, aggregate, deaggregate } from './kpl-aggregation';

const bytes = fc.uint8Array({ maxLength: 256 });
const userRecord = fc.record({
  partitionKey: fc.string({ unit: 'grapheme', maxLength: 32 }),
  explicitHashKey: fc.option(fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String), { nil: null }),
  data: bytes,
});

/** An aggregate whose MD5 matches whatever the message is, so the decoder itself meets the arbitrary bytes. */
const withValidDigest = (message: Uint8Array) => Buffer.concat([KPL_MAGIC, message, createHash('md5').update(message).digest()]);

describe('KPL de-aggregation (property-based)', () => {
  it('round-trips any list of user records through aggregate and deaggregate', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { maxLength: 20 }), (records) => {
        const out = deaggregate(aggregate(records), 'outer-key', null);
        expect(out).toEqual(records.map((r, i) => ({ subSequenceNumber: i, partitionKey: r.partitionKey, explicitHashKey: r.explicitHashKey, data: Buffer.from(r.data) })));
      }),
    );
  });

  it('never throws on arbitrary data, with or without the magic bytes, and keeps undecodable data as one record', () => {
    fc.assert(
      fc.property(fc.oneof(bytes, bytes.map((b) => Buffer.concat([KPL_MAGIC, b])), bytes.map(withValidDigest)), (data) => {
        const out = deaggregate(data, 'pk', 'ehk');
        expect(Array.isArray(out)).toBe(true);
        if (out.length === 1 && out[0].data === data) expect(out[0]).toEqual({ subSequenceNumber: 0, partitionKey: 'pk', explicitHashKey: 'ehk', data });
      }),
    );
  });

  it('never throws on a real aggregate cut short or with bytes flipped', () => {
    fc.assert(
      fc.property(fc.array(userRecord, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (records, cutAt, flipAt, mask) => {
        const agg = aggregate(records);
        const cut = agg.subarray(0, cutAt % agg.length);
        expect(deaggregate(cut, 'pk', null)).toEqual([{ subSequenceNumber: 0, partitionKey: 'pk', explicitHashKey: null, data: cut }]);
        const message = Buffer.from(agg.subarray(KPL_MAGIC.length, agg.length - 16));
        message[flipAt % message.length] ^= mask;
        expect(() => deaggregate(withValidDigest(message), 'pk', null)).not.toThrow();
      }),
    );
  });
});
