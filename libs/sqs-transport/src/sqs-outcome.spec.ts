import { ERROR_KINDS, FluxError } from '@flux-capacitor/contracts';
import { MAX_RETRY_DELAY_SECONDS, retryDelaySeconds, sqsOutcomeOf } from './sqs-outcome';

describe('sqsOutcomeOf', () => {
  it('dead-letters what can never succeed and retries what may, by kind', () => {
    const actions = Object.fromEntries(ERROR_KINDS.map((kind) => [kind, sqsOutcomeOf(new FluxError(kind, 'X', 'm'), 1, 30).action]));
    expect(actions).toEqual({
      'invalid-input': 'dead-letter',
      'not-found': 'dead-letter',
      conflict: 'dead-letter',
      unauthenticated: 'retry',
      forbidden: 'retry',
      unavailable: 'retry',
      timeout: 'retry',
      internal: 'retry',
      overloaded: 'retry',
    });
  });

  it('dead-letters with the code and message as the reason', () => {
    const err = new FluxError('not-found', 'ARCHIVE_OBJECT_MISSING', 'object s3://b/k does not exist');
    expect(sqsOutcomeOf(err, 1, 30)).toEqual({ action: 'dead-letter', reason: 'ARCHIVE_OBJECT_MISSING: object s3://b/k does not exist' });
  });

  it("retries anything that is not a FluxError (a bug, a driver's error, Nest's RPC error object)", () => {
    for (const err of [new TypeError('x'), Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' }), { status: 'error', message: 'Internal server error' }]) {
      expect(sqsOutcomeOf(err, 1, 30)).toEqual({ action: 'retry', delaySeconds: 30 });
    }
  });
});

describe('retryDelaySeconds', () => {
  it('doubles from the visibility timeout with each receive, up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => retryDelaySeconds(n, 30))).toEqual([30, 60, 120, 240, 480, 900, 900]);
    expect(MAX_RETRY_DELAY_SECONDS).toBe(900);
  });

  it('never waits less than the visibility timeout', () => {
    expect(retryDelaySeconds(1, 1200)).toBe(1200);
    expect(retryDelaySeconds(3, 1200)).toBe(1200);
    expect(retryDelaySeconds(50, 5)).toBe(900);
  });
});
