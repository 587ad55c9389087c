import { z } from 'zod';
import { FluxError, describeZodIssues, invalidInput, isFluxError } from './errors';

class LeaseLost extends FluxError {
  constructor() {
    super('conflict', 'LEASE_LOST', 'taken over');
  }
}

describe('FluxError', () => {
  it('carries kind, code, details and the standard cause, and names its subclass', () => {
    const cause = new Error('socket hang up');
    const err = new FluxError('unavailable', 'DRILL_DOWN', 'Drill could not be reached', { cause, details: { url: 'http://drill' } });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ kind: 'unavailable', code: 'DRILL_DOWN', message: 'Drill could not be reached', details: { url: 'http://drill' }, name: 'FluxError' });
    expect(err.cause).toBe(cause);
    expect(new LeaseLost().name).toBe('LeaseLost');
    expect('cause' in new LeaseLost()).toBe(false);
  });

  it('recognises FluxErrors by class or shape, and nothing else', () => {
    expect(isFluxError(new LeaseLost())).toBe(true);
    expect(isFluxError(Object.assign(new Error('x'), { kind: 'timeout', code: 'T' }))).toBe(true);
    expect(isFluxError(Object.assign(new Error('x'), { kind: 'cancelled', code: 'T' }))).toBe(false);
    expect(isFluxError(new TypeError('x'))).toBe(false);
    expect(isFluxError({ kind: 'timeout', code: 'T' })).toBe(false);
  });
});

describe('invalidInput', () => {
  const schema = z.object({ sql: z.string().min(1), limit: z.number().max(10) });

  it('names every issue by its path, in the message and in details', () => {
    const parsed = schema.safeParse({ sql: '', limit: 11 });
    const err = invalidInput(parsed.error!);
    expect(err).toMatchObject({ kind: 'invalid-input', code: 'INVALID_REQUEST' });
    expect(err.message).toMatch(/^sql: .+; limit: .+$/);
    expect(err.details).toEqual({ issues: [{ path: 'sql', message: expect.any(String) }, { path: 'limit', message: expect.any(String) }] });
    expect(err.cause).toBe(parsed.error);
  });

  it('names an issue of the whole value by the root label', () => {
    const parsed = schema.safeParse('text');
    expect(describeZodIssues(parsed.error!, 'body')).toEqual([expect.stringMatching(/^body: /)]);
    expect(invalidInput(parsed.error!, { code: 'INVALID_REPLAY' }).message).toMatch(/^\(root\): /);
  });
});
