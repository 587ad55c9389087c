import { describe, expect, it } from 'vitest';
import { DEFAULT_TOMBSTONE, EMPTY_FORM, fieldErrorsOf, fieldOfError, localToIso, needsTypedConfirmation, percentDone, pinToPlan, specToForm, toReplayRequest, type PlanSummary } from './replays-model';

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
    expect(form).toMatchObject({ from: '2026-12-01T10:00', compact: true, compactKey: "payload->>'id'", tombstone: 't', deletes: 'drop', annotations: 'a=b', reservePercent: '30' });
    expect(toReplayRequest(form, false)).toMatchObject({ body: { from: spec.from, compact: { key: "payload->>'id'", tombstone: 't', deletes: 'drop' }, pace: { mode: 'max', reserve: 0.3 } } });
  });

  it('sends the delete condition inside compact, as the API expects, and leaves the default out', () => {
    const form = { ...EMPTY_FORM, source: 'orders', compact: true, compactKey: "payload->>'order_id'", tombstone: " (payload->>'type') = 'order.deleted' ", deletes: 'drop' as const };
    expect(toReplayRequest(form, true)).toMatchObject({ body: { compact: { key: "payload->>'order_id'", tombstone: "(payload->>'type') = 'order.deleted'", deletes: 'drop' } } });
    expect(toReplayRequest({ ...form, tombstone: '' }, true)).toMatchObject({ body: { compact: { key: "payload->>'order_id'", deletes: 'drop' } } });
    expect(specToForm({ source: 'orders', compact: { key: 'partition_key', tombstone: DEFAULT_TOMBSTONE, deletes: 'replay' } }).tombstone).toBe('');
  });
});

describe('pinToPlan', () => {
  const plan: PlanSummary = {
    records: 3,
    bytes: 30,
    distinctKeys: 3,
    deletes: 0,
    perShard: { 'shardId-000000000000': 2, 'shardId-000000000001': 1 },
    objects: 1,
    liveRecords: 1,
    sample: [],
    firstArrivalTime: '2026-12-01T10:00:00.123Z',
    lastArrivalTime: '2026-12-01T11:59:59.999Z',
    estimatedSeconds: 1,
    watermarks: { 'shardId-000000000000': '49650000000000000000000000000000000000000000000000000002', 'shardId-000000000001': '49650000000000000000000000000000000000000000000000000007' },
    planningMs: 5,
  };

  it('closes open bounds at the plan: each shard at its watermark, Until when planning ended, From at the first record', () => {
    const body = { source: 'orders', target: 'orders-replay', dryRun: false, compact: { key: 'partition_key', deletes: 'replay' } };
    expect(pinToPlan(body, { plan, finishedAt: '2026-12-01T12:00:01.000Z' })).toEqual({
      ...body,
      from: '2026-12-01T10:00:00.123Z',
      until: '2026-12-01T12:00:01.000Z',
      untilSequence: plan.watermarks,
    });
  });

  it("keeps the bounds the user set, and takes the last record's time when it is later than the end of planning", () => {
    const body = { source: 'orders', dryRun: false, from: '2026-12-01T09:00:00.000Z', until: '2026-12-01T13:00:00.000Z' };
    expect(pinToPlan(body, { plan, finishedAt: null })).toEqual({ ...body, untilSequence: plan.watermarks });
    expect(pinToPlan({ source: 'orders', dryRun: false }, { plan, finishedAt: '2026-12-01T11:00:00.000Z' })).toMatchObject({ until: plan.lastArrivalTime });
  });

  it('pins an empty plan at the shard tips, without a From', () => {
    const empty = { ...plan, records: 0, firstArrivalTime: null, lastArrivalTime: null };
    expect(pinToPlan({ source: 'orders', dryRun: false }, { plan: empty, finishedAt: '2026-12-01T12:00:01.000Z' })).toEqual({
      source: 'orders',
      dryRun: false,
      until: '2026-12-01T12:00:01.000Z',
      untilSequence: plan.watermarks,
    });
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
    [{ code: 'INVALID_REPLAY', detail: 'tombstone must be a single SQL condition over orders: it changes the statement it is part of' }, 'tombstone'],
    [{ code: 'INVALID_REPLAY', detail: 'compact.tombstone: Too small' }, 'tombstone'],
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
