import fc from 'fast-check';
import { parseEnvelope, type PoisonReason } from './envelope.parser';
import { buildEnvelope } from './sqs.publisher';

const REASONS: PoisonReason[] = ['malformed-json', 'invalid-envelope', 'unknown-type', 'unsupported-version', 'invalid-payload'];

/** Whatever arrives, the parser answers ok or one documented poison reason with a detail; it never throws. */
function expectAnswered(body: string | undefined): void {
  const parsed = parseEnvelope(body);
  if (!parsed.ok) {
    expect(REASONS).toContain(parsed.reason);
    expect(typeof parsed.detail).toBe('string');
  }
}

const partitionAdded = fc.record({
  stream: fc.string({ minLength: 1 }),
  dt: fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('9999-12-31T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  hour: fc.integer({ min: 0, max: 23 }),
  location: fc.string({ minLength: 1 }),
});

describe('parseEnvelope (property-based)', () => {
  it('never throws on arbitrary text, and says why it refuses it', () => {
    fc.assert(fc.property(fc.option(fc.string({ unit: 'binary' }), { nil: undefined }), expectAnswered));
  });

  it('never throws on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expectAnswered(JSON.stringify(v))));
  });

  it('never throws on envelopes with any field replaced by arbitrary JSON', () => {
    const fields = ['id', 'type', 'version', 'correlationId', 'occurredAt', 'producer', 'payload'] as const;
    fc.assert(
      fc.property(partitionAdded, fc.constantFrom(...fields), fc.jsonValue(), (payload, field, value) => {
        const envelope: Record<string, unknown> = { ...buildEnvelope('catalog.partition.added', payload, 'test') };
        envelope[field] = value;
        expectAnswered(JSON.stringify(envelope));
      }),
    );
  });

  it('round-trips every envelope the publisher builds', () => {
    fc.assert(
      fc.property(partitionAdded, fc.string({ minLength: 1 }), (payload, producer) => {
        const envelope = buildEnvelope('catalog.partition.added', payload, producer);
        expect(parseEnvelope(JSON.stringify(envelope))).toEqual({ ok: true, envelope });
      }),
    );
  });
});
