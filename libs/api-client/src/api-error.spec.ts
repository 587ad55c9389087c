import { ApiError, apiErrorOf, networkError } from './api-error';

const response = (status: number, statusText = '') => ({ status, statusText });

describe('apiErrorOf', () => {
  it('reads status, code and detail from a problem, with a one-line message', () => {
    const problem = { type: 'urn:flux-capacitor:problem:invalid-input', title: 'Invalid input', status: 400, code: 'QUERY_SYNTAX', detail: 'syntax error\n  at or near "SELEC"', details: { position: 1 } };
    const err = apiErrorOf(response(400), problem);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'QUERY_SYNTAX', detail: problem.detail, problem });
    expect(err.message).toBe('QUERY_SYNTAX: syntax error at or near "SELEC" (HTTP 400)');
  });

  it('still gives a readable error for an answer that is not a problem (a proxy page, an empty body)', () => {
    expect(apiErrorOf(response(502, 'Bad Gateway'), '<html>upstream down</html>').message).toBe('HTTP_502: <html>upstream down</html> (HTTP 502)');
    expect(apiErrorOf(response(500, 'Internal Server Error'), undefined).message).toBe('HTTP_500: Internal Server Error (HTTP 500)');
    expect(apiErrorOf(response(404), { message: 'x' }).code).toBe('HTTP_404');
  });

  it('names the URL and the cause of a request that got no answer', () => {
    const err = networkError('http://127.0.0.1:1/v1/streams', new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:1') }));
    expect(err).toMatchObject({ status: 0, code: 'NETWORK_ERROR' });
    expect(err.message).toBe('NETWORK_ERROR: http://127.0.0.1:1/v1/streams: fetch failed (connect ECONNREFUSED 127.0.0.1:1)');
  });
});
