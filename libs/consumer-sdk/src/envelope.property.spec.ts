import fc from 'fast-check';
import { ENVELOPE_MAGIC, EnvelopeError, decodeRecordData, encodeReplayMarker, encodeReplayRecord } from './envelope';

const nonEmpty = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 });
const header = fc.record({
  replayId: nonEmpty,
  op: fc.constantFrom('upsert' as const, 'delete' as const),
  source: fc.record({
    stream: nonEmpty,
    shardId: nonEmpty,
    sequenceNumber: fc.bigInt({ min: 0n, max: 10n ** 56n }).map(String),
    subSequenceNumber: fc.nat(),
    partitionKey: fc.string({ unit: 'grapheme', maxLength: 40 }),
    arrivalTime: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()),
  }),
  annotations: fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 10 }), fc.string({ unit: 'grapheme', maxLength: 20 }), { maxKeys: 4 }),
});
const marker = fc.record({
  replayId: nonEmpty,
  marker: fc.constantFrom('start' as const, 'end' as const),
  sourceStream: nonEmpty,
  targetShardId: nonEmpty,
  at: nonEmpty,
});

/** decodeRecordData answers, or throws its one documented error, EnvelopeError; nothing else. */
function decodesOrRefuses(data: Uint8Array): void {
  try {
    decodeRecordData(data);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvelopeError);
  }
}

describe('replay envelope (property-based)', () => {
  it('round-trips every record header and its data', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 256 }), (h, data) => {
        const decoded = decodeRecordData(encodeReplayRecord(h, data));
        expect(decoded).toEqual({ kind: 'replayed', header: { kind: 'record', ...h }, data: Buffer.from(data) });
      }),
    );
  });

  it('round-trips every marker', () => {
    fc.assert(
      fc.property(marker, (m) => {
        expect(decodeRecordData(encodeReplayMarker(m))).toEqual({ kind: 'marker', header: { kind: 'marker', ...m } });
      }),
    );
  });

  it('reads data without the magic as live, byte for byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), (data) => {
        fc.pre(!(data[0] === 0 && data[1] === 0x46 && data[2] === 0x4c && data[3] === 0x58));
        expect(decodeRecordData(data)).toEqual({ kind: 'live', data });
      }),
    );
  });

  it('throws nothing but EnvelopeError on arbitrary bytes after the magic', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (rest) => decodesOrRefuses(Buffer.concat([ENVELOPE_MAGIC, rest]))));
  });

  it('throws nothing but EnvelopeError on a well-framed envelope with an arbitrary JSON header', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.uint8Array({ maxLength: 32 }), (json, data) => {
        const text = Buffer.from(JSON.stringify(json) ?? 'null', 'utf8');
        const prefix = Buffer.alloc(9);
        ENVELOPE_MAGIC.copy(prefix);
        prefix[4] = 1;
        prefix.writeUInt32BE(text.length, 5);
        decodesOrRefuses(Buffer.concat([prefix, text, data]));
      }),
    );
  });

  it('throws nothing but EnvelopeError on a real envelope cut short or with a byte flipped', () => {
    fc.assert(
      fc.property(header, fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 255 }), (h, data, cutAt, flipAt, mask) => {
        const encoded = encodeReplayRecord(h, data);
        decodesOrRefuses(encoded.subarray(0, cutAt % encoded.length));
        const flipped = Buffer.from(encoded);
        flipped[flipAt % flipped.length] ^= mask;
        decodesOrRefuses(flipped);
      }),
    );
  });
});
