import { decodeRecordData, encodeReplayMarker, encodeReplayRecord, ENVELOPE_MAGIC, EnvelopeError, type ReplayRecordHeader } from './envelope';

const header: Omit<ReplayRecordHeader, 'kind'> = {
  replayId: '6f1c0f0e-8a55-4c8e-9a43-1d8f7f3a2b10',
  op: 'upsert',
  source: { stream: 'orders', shardId: 'shardId-000000000001', sequenceNumber: '49590338271490256608559692538361571095921575989136588818', subSequenceNumber: 3, partitionKey: 'customer-ü', arrivalTime: '2026-03-01T12:00:00.123Z' },
  annotations: { reason: 'backfill', forceOverwrite: 'true' },
};

describe('replay envelope v1', () => {
  it('round-trips binary data byte for byte, with the documented layout', () => {
    const data = Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i));
    const encoded = encodeReplayRecord(header, data);
    expect(encoded.subarray(0, 4)).toEqual(Buffer.from([0x00, 0x46, 0x4c, 0x58]));
    expect(encoded[4]).toBe(1);
    const h = encoded.readUInt32BE(5);
    expect(JSON.parse(encoded.subarray(9, 9 + h).toString('utf8'))).toEqual({ kind: 'record', ...header });
    expect(Buffer.compare(encoded.subarray(9 + h), data)).toBe(0);

    const decoded = decodeRecordData(encoded);
    expect(decoded.kind).toBe('replayed');
    if (decoded.kind !== 'replayed') return;
    expect(decoded.header).toEqual({ kind: 'record', ...header });
    expect(Buffer.from(decoded.data).equals(data)).toBe(true);
  });

  it('round-trips empty data (a replayed delete)', () => {
    const decoded = decodeRecordData(encodeReplayRecord({ ...header, op: 'delete' }, new Uint8Array(0)));
    expect(decoded).toMatchObject({ kind: 'replayed', header: { op: 'delete' } });
    expect(decoded.kind === 'replayed' && decoded.data.length).toBe(0);
  });

  it('round-trips start and end markers', () => {
    for (const marker of ['start', 'end'] as const) {
      const m = { replayId: header.replayId, marker, sourceStream: 'orders', targetShardId: 'shardId-000000000000', at: '2026-03-01T12:00:00.000Z' };
      expect(decodeRecordData(encodeReplayMarker(m))).toEqual({ kind: 'marker', header: { kind: 'marker', ...m } });
    }
  });

  it('treats data without the magic as live, including empty data and other binary', () => {
    for (const data of [Buffer.from('{"a":1}'), Buffer.alloc(0), Buffer.from([0x00, 0x46, 0x4c]), Buffer.from([0xf3, 0x89, 0x9a, 0xc2, 1])]) {
      const decoded = decodeRecordData(data);
      expect(decoded).toEqual({ kind: 'live', data });
    }
  });

  it('rejects an unknown version instead of treating the record as live', () => {
    const encoded = encodeReplayRecord(header, Buffer.from('x'));
    encoded[4] = 2;
    expect(() => decodeRecordData(encoded)).toThrow(EnvelopeError);
    expect(() => decodeRecordData(encoded)).toThrow(/unknown format version 2/);
  });

  it('rejects truncated and corrupt headers with a message naming the problem', () => {
    const good = encodeReplayRecord(header, Buffer.from('payload'));
    expect(() => decodeRecordData(Buffer.concat([ENVELOPE_MAGIC, Buffer.from([1, 0])]))).toThrow(/truncated/);
    const tooLong = Buffer.from(good);
    tooLong.writeUInt32BE(10_000, 5);
    expect(() => decodeRecordData(tooLong)).toThrow(/runs past the end/);
    const notJson = Buffer.from(good);
    notJson[9] = 0x7b + 1;
    expect(() => decodeRecordData(notJson)).toThrow(/not UTF-8 JSON/);
    const badOp = encodeReplayRecord({ ...header, op: 'merge' as 'upsert' }, Buffer.alloc(0));
    expect(() => decodeRecordData(badOp)).toThrow(/"op" must be "upsert" or "delete"/);
    const badSeq = encodeReplayRecord({ ...header, source: { ...header.source, sequenceNumber: '12a' } }, Buffer.alloc(0));
    expect(() => decodeRecordData(badSeq)).toThrow(/source.sequenceNumber/);
  });
});
