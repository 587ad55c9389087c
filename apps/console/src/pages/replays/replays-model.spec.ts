import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, fieldErrorsOf, fieldOfError, localToIso, needsTypedConfirmation, percentDone, specToForm, toReplayRequest } from './replays-model';

describe('toReplayRequest', () => {
  it('turns the form into the API body: UTC times, compaction, annotations, pace', () => {
    const r = toReplayRequest(
      {
        ...EMPTY_FORM,
        source: 'orders',
        target: 'orders-replay',
        from: '2026-12-01T10:00',
        where: "(payload->>'region') = 'eu'",
        compact: true,
        annotations: 'forceOverwrite=true\n\nticket = OPS-12',
        paceMode: 'rate',
        recordsPerSecond: '250',
      },
      true,
    );
    expect(r).toEqual({
      body: {
        source: 'orders',
        target: 'orders-replay',
        from: '2026-12-01T10:00:00.000Z',
        where: "(payload->>'region') = 'eu'",
        compact: { key: 'partition_key', deletes: 'replay' },
        annotations: { forceOverwrite: 'true', ticket: 'OPS-12' },
        pace: { mode: 'rate', recordsPerSecond: 250 },
        dryRun: true,
      },
    });
  });

  it('names the fields it cannot send', () => {
    expect(toReplayRequest({ ...EMPTY_FORM, from: 'yesterday', annotations: 'novalue', paceMode: 'rate', recordsPerSecond: '0' }, false)).toEqual({
      errors: { source: expect.any(String), from: expect.any(String), annotations: 'Line 1: write key=value', recordsPerSecond: expect.any(String) },
    });
    expect(toReplayRequest({ ...EMPTY_FORM, source: 's', from: '2026-12-02T00:00', until: '2026-12-01T00:00' }, false)).toEqual({ errors: { until: 'Must not be before From' } });
  });

  it('round-trips a spec through the form', () => {
    const spec = { source: 'orders', target: 'x', from: '2026-12-01T10:00:00.000Z', compact: { key: "payload->>'id'", tombstone: 't', deletes: 'drop' as const }, annotations: { a: 'b' }, pace: { mode: 'max' as const, reserve: 0.3 } };
    const form = specToForm(spec);
    expect(form).toMatchObject({ from: '2026-12-01T10:00', compact: true, compactKey: "payload->>'id'", deletes: 'drop', annotations: 'a=b', reservePercent: '30' });
    expect(toReplayRequest(form, false)).toMatchObject({ body: { from: spec.from, compact: { key: "payload->>'id'", deletes: 'drop' }, pace: { mode: 'max', reserve: 0.3 } } });
  });
});

describe('fieldOfError', () => {
  it.each([
    [{ code: 'TARGET_NOT_FOUND', detail: 'target stream nope does not exist in Kinesis (create it first)' }, 'target'],
    [{ code: 'TARGET_NOT_ALLOWED', detail: 'replays may not write to orders' }, 'target'],
    [{ code: 'UNKNOWN_STREAM', detail: 'source stream x is neither archived nor in Kinesis' }, 'source'],
    [{ code: 'INVALID_REPLAY', detail: 'where: Parser Error: syntax error at or near "="' }, 'where'],
    [{ code: 'INVALID_REPLAY', detail: 'where must be a single SQL condition over orders: it changes the statement it is part of' }, 'where'],
    [{ code: 'INVALID_REPLAY', detail: 'compact.key: Binder Error: Referenced column "nope" not found' }, 'compactKey'],
    [{ code: 'INVALID_REPLAY', detail: 'until (2026-12-01T00:00:00Z) is before from (2026-12-02T00:00:00Z)' }, 'until'],
    [{ code: 'INVALID_REPLAY', detail: 'annotations.bad key: annotation names are letters, digits, _ . - (at most 64)' }, 'annotations'],
    [{ code: 'INVALID_REPLAY', detail: 'pace.recordsPerSecond: Too big' }, 'recordsPerSecond'],
    [{ code: 'INTERNAL', detail: 'An internal error occurred' }, 'form'],
  ])('%j belongs to %s', (problem, field) => expect(fieldOfError(problem)).toBe(field));

  it('splits several reasons of one answer among their fields', () => {
    expect(fieldErrorsOf({ code: 'INVALID_REPLAY', detail: 'from: must be an ISO-8601 time; pace.factor: Too small' })).toEqual({
      from: 'from: must be an ISO-8601 time',
      factor: 'pace.factor: Too small',
    });
  });
});

describe('replay helpers', () => {
  it('reads a datetime-local value as UTC', () => {
    expect(localToIso('2026-12-01T10:00')).toBe('2026-12-01T10:00:00.000Z');
    expect(localToIso('2026-12-01T10:00:00+01:00')).toBe('2026-12-01T09:00:00.000Z');
    expect(localToIso('soon')).toBeNull();
  });

  it('asks for the typed name only when the replay writes into its own source', () => {
    expect(needsTypedConfirmation('orders', '')).toBe(true);
    expect(needsTypedConfirmation('orders', 'orders')).toBe(true);
    expect(needsTypedConfirmation('orders', 'orders-replay')).toBe(false);
  });

  it('counts put and failed records toward progress, and a completed replay as done', () => {
    const progress = { selected: 200, put: 50, failed: 10, bytesSelected: 0, bytesPut: 0, ratePerSecond: 0, etaSeconds: null };
    expect(percentDone({ state: 'running', progress })).toBe(30);
    expect(percentDone({ state: 'completed', progress: { ...progress, selected: 0 } })).toBe(100);
  });
});
