import { envelopeSchema, type ArchiveObjectWritten } from '@flux-capacitor/contracts';
import { InvalidMessageError } from './sqs.errors';
import { buildEnvelope } from './sqs.publisher';

const payload: ArchiveObjectWritten = {
  objectUri: 's3://b/archive/part-0.parquet',
  stream: 's',
  layout: 2,
  shards: [{ shardId: 'shardId-000000000000', firstSequenceNumber: '1', lastSequenceNumber: '2', recordCount: 2 }],
  firstArrivalTime: '2026-11-25T17:00:00.000Z',
  lastArrivalTime: '2026-11-25T17:04:59.000Z',
  dt: '2026-11-25',
  hour: 17,
  recordCount: 2,
  bytes: 10,
};

describe('buildEnvelope', () => {
  it('stamps a uuid, the contract version, the producer and a valid envelope', () => {
    const e = buildEnvelope('archive.object.written', payload, 'archiver');
    expect(envelopeSchema.parse(e)).toEqual(e);
    expect(e).toMatchObject({ type: 'archive.object.written', version: 2, producer: 'archiver', payload });
    expect(e.correlationId).toBe(e.id);
  });

  it('keeps a given correlation id and gives each envelope its own id', () => {
    const a = buildEnvelope('archive.object.written', payload, 'archiver', { correlationId: 'req-7' });
    const b = buildEnvelope('archive.object.written', payload, 'archiver', { correlationId: 'req-7' });
    expect([a.correlationId, b.correlationId]).toEqual(['req-7', 'req-7']);
    expect(a.id).not.toBe(b.id);
  });

  it('refuses a payload that breaks the contract, naming the field', () => {
    const bad = { ...payload, recordCount: -1 };
    expect(() => buildEnvelope('archive.object.written', bad, 'archiver')).toThrow(InvalidMessageError);
    expect(() => buildEnvelope('archive.object.written', bad, 'archiver')).toThrow(/recordCount/);
  });
});
