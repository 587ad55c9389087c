import { randomUUID } from 'node:crypto';
import { parseEnvelope } from './envelope.parser';

const range = {
  shardId: 'shardId-000000000000',
  firstSequenceNumber: '49590338271490256608559692538361571095921575989136588802',
  lastSequenceNumber: '49590338271490256608559692538361571095921575989136588899',
  recordCount: 10,
};
const payload = {
  objectUri: 's3://b/archive/stream=s/dt=2026-11-25/hour=17/part-0.parquet',
  stream: 's',
  layout: 2,
  shards: [range],
  firstArrivalTime: '2026-11-25T17:00:00.000Z',
  lastArrivalTime: '2026-11-25T17:04:59.000Z',
  dt: '2026-11-25',
  hour: 17,
  recordCount: 10,
  bytes: 1024,
};

const envelope = (overrides: Record<string, unknown> = {}) => ({
  id: randomUUID(),
  type: 'archive.object.written',
  version: 2,
  correlationId: 'c-1',
  occurredAt: '2026-11-25T17:05:00.000Z',
  producer: 'archiver',
  payload,
  ...overrides,
});

describe('parseEnvelope', () => {
  it('accepts a valid envelope and returns the schema-parsed payload', () => {
    const e = envelope({ payload: { ...payload, extra: 'dropped' } });
    const parsed = parseEnvelope(JSON.stringify(e));
    expect(parsed).toEqual({ ok: true, envelope: { ...e, payload } });
  });

  it('rejects a body that is not JSON as malformed-json', () => {
    expect(parseEnvelope('{not json')).toMatchObject({ ok: false, reason: 'malformed-json' });
    expect(parseEnvelope(undefined)).toMatchObject({ ok: false, reason: 'malformed-json' });
  });

  it('rejects a missing or malformed envelope field and names it', () => {
    const { correlationId: _drop, ...noCorrelation } = envelope();
    const parsed = parseEnvelope(JSON.stringify(noCorrelation));
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid-envelope', type: 'archive.object.written' });
    expect(parsed.ok === false && parsed.detail).toContain('correlationId');
    expect(parseEnvelope(JSON.stringify(envelope({ id: 'not-a-uuid' })))).toMatchObject({ ok: false, reason: 'invalid-envelope' });
    expect(parseEnvelope('[1,2]')).toMatchObject({ ok: false, reason: 'invalid-envelope' });
  });

  it('rejects an unknown message type', () => {
    expect(parseEnvelope(JSON.stringify(envelope({ type: 'archive.object.deleted' })))).toMatchObject({
      ok: false,
      reason: 'unknown-type',
      type: 'archive.object.deleted',
    });
  });

  it('accepts an older version the contract still reads and hands it over upgraded to the current shape', () => {
    const { layout: _layout, shards: _shards, ...facts } = payload;
    const v1 = { ...facts, shardId: range.shardId, firstSequenceNumber: range.firstSequenceNumber, lastSequenceNumber: range.lastSequenceNumber };
    const parsed = parseEnvelope(JSON.stringify(envelope({ version: 1, payload: v1 })));
    expect(parsed).toMatchObject({ ok: true, envelope: { version: 2, payload: { ...payload, layout: 1 } } });
  });

  it('rejects a version the contract does not have', () => {
    const parsed = parseEnvelope(JSON.stringify(envelope({ version: 3 })));
    expect(parsed).toMatchObject({ ok: false, reason: 'unsupported-version' });
    expect(parsed.ok === false && parsed.detail).toContain('version 3');
  });

  it('rejects a payload that breaks the contract and names the field', () => {
    const parsed = parseEnvelope(JSON.stringify(envelope({ payload: { ...payload, hour: 24 } })));
    expect(parsed).toMatchObject({ ok: false, reason: 'invalid-payload' });
    expect(parsed.ok === false && parsed.detail).toMatch(/^hour: /);
  });
});
