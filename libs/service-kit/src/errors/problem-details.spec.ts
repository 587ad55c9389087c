import { ERROR_KINDS, FluxError } from '@flux-capacitor/contracts';
import { HttpException, NotFoundException, PayloadTooLargeException, RequestTimeoutException } from '@nestjs/common';
import { HTTP_STATUS_OF_KIND, INTERNAL_DETAIL, problemOf } from './problem-details';

describe('problemOf', () => {
  it('maps every kind to one HTTP status', () => {
    expect(Object.fromEntries(ERROR_KINDS.map((kind) => [kind, problemOf(new FluxError(kind, 'X', 'm'), '/p').problem.status]))).toEqual({
      'invalid-input': 400,
      unauthenticated: 401,
      forbidden: 403,
      'not-found': 404,
      conflict: 409,
      unavailable: 503,
      timeout: 504,
      internal: 500,
      overloaded: 429,
    });
    expect(HTTP_STATUS_OF_KIND.timeout).toBe(504);
  });

  it('answers a FluxError with its kind as type and title, its message as detail, its code and details', () => {
    const err = new FluxError('invalid-input', 'QUERY_SYNTAX', 'syntax error at or near "1"', { details: { position: 12 } });
    expect(problemOf(err, '/v1/query')).toEqual({
      problem: {
        type: 'urn:flux-capacitor:problem:invalid-input',
        title: 'Invalid input',
        status: 400,
        detail: 'syntax error at or near "1"',
        instance: '/v1/query',
        code: 'QUERY_SYNTAX',
        details: { position: 12 },
      },
      internal: false,
    });
  });

  it('keeps the message and details of an internal FluxError out of the answer', () => {
    const { problem, internal } = problemOf(new FluxError('internal', 'BROKEN', 'password=hunter2', { details: { row: 1 } }), '/x');
    expect(internal).toBe(true);
    expect(problem).toEqual({ type: 'urn:flux-capacitor:problem:internal', title: 'Internal error', status: 500, detail: INTERNAL_DETAIL, instance: '/x', code: 'INTERNAL' });
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'x')")],
    ['a thrown string', 'boom'],
    ['an object', { message: 'connect ECONNREFUSED 10.0.0.7:5432' }],
  ])('answers %s with 500, code INTERNAL and a generic detail, and marks it for the log', (_what, thrown) => {
    const { problem, internal } = problemOf(thrown, '/y');
    expect(internal).toBe(true);
    expect(problem).toEqual({ type: 'urn:flux-capacitor:problem:internal', title: 'Internal error', status: 500, detail: INTERNAL_DETAIL, instance: '/y', code: 'INTERNAL' });
  });

  it("answers Nest's HttpExceptions with their own status, the kind's type where one matches, and their message", () => {
    expect(problemOf(new NotFoundException('Cannot GET /nowhere'), '/nowhere').problem).toEqual({
      type: 'urn:flux-capacitor:problem:not-found',
      title: 'Not found',
      status: 404,
      detail: 'Cannot GET /nowhere',
      instance: '/nowhere',
      code: 'NOT_FOUND',
    });
    expect(problemOf(new RequestTimeoutException(), '/t').problem).toMatchObject({ status: 408, type: 'urn:flux-capacitor:problem:timeout', code: 'REQUEST_TIMEOUT' });
    expect(problemOf(new PayloadTooLargeException('request entity too large'), '/b').problem).toMatchObject({
      type: 'about:blank',
      title: 'Payload Too Large',
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      detail: 'request entity too large',
    });
    // 429 is the overloaded kind's status, so Nest's own 429 reads as ours
    expect(problemOf(new HttpException('slow down', 429), '/r')).toEqual({
      problem: { type: 'urn:flux-capacitor:problem:overloaded', title: 'Too many requests', status: 429, detail: 'slow down', instance: '/r', code: 'HTTP_429' },
      internal: false,
    });
  });

  it("keeps the message of a Nest HttpException of 500 or more out of the answer, and marks it for the log", () => {
    const { problem, internal } = problemOf(new HttpException('pool exhausted at db-7.internal', 502), '/g');
    expect(internal).toBe(true);
    expect(problem).toMatchObject({ status: 502, detail: INTERNAL_DETAIL });
  });

  it('answers a lost or silent database as 503 DATABASE_UNAVAILABLE, and a query the database refused as 500', () => {
    // What TypeORM throws: a QueryFailedError wrapping the pg error as driverError.
    const wrapped = (driverError: object) => Object.assign(new Error('query failed'), { driverError });
    for (const down of [wrapped(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })), wrapped(new Error('Query read timeout')), new Error('Driver not Connected')]) {
      expect(problemOf(down, '/q')).toMatchObject({ problem: { status: 503, code: 'DATABASE_UNAVAILABLE' }, internal: false });
    }
    expect(problemOf(wrapped(Object.assign(new Error('syntax error'), { code: '42601' })), '/q')).toMatchObject({ problem: { status: 500 }, internal: true });
  });

  it('answers an AWS call that timed out or was refused as 503 DEPENDENCY_UNAVAILABLE', () => {
    const timedOut = Object.assign(new Error('the request socket timed out after 10000 ms of inactivity'), { name: 'TimeoutError' });
    // The SDK's retry middleware adds $metadata to what the client throws.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4567'), { code: 'ECONNREFUSED', $metadata: { attempts: 3 } });
    for (const down of [timedOut, refused]) {
      expect(problemOf(down, '/r')).toMatchObject({ problem: { status: 503, code: 'DEPENDENCY_UNAVAILABLE' }, internal: false });
    }
  });
});
