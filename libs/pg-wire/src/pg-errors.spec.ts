import { FluxError } from '@flux-capacitor/contracts';
import { QueryCancelledError, QueryInvalidError, QueryOverloadedError, QueryRejectedError, QuerySyntaxError, QueryTimeoutError } from '@flux-capacitor/query-engine';
import { pgErrorOf } from './pg-errors';

describe('pgErrorOf', () => {
  it('gives the engine errors the SQLSTATE a PostgreSQL client expects', () => {
    expect(pgErrorOf(new QueryRejectedError('table function read_text() is not allowed')).code).toBe('42501');
    expect(pgErrorOf(new FluxError('forbidden', 'STREAM_FORBIDDEN', 'this token is not granted stream x')).code).toBe('42501');
    const syntax = pgErrorOf(new QuerySyntaxError('Parser Error: syntax error at or near "FORM"', 9));
    expect(syntax.fields()).toMatchObject({ code: '42601', position: 10, severity: 'ERROR' });
    expect(pgErrorOf(new QueryInvalidError('Catalog Error: Table with name nope does not exist!')).code).toBe('42P01');
    expect(pgErrorOf(new QueryInvalidError('Binder Error: Referenced column "x" not found in FROM clause!')).code).toBe('42703');
    expect(pgErrorOf(new QueryInvalidError("Conversion Error: Could not convert string 'x' to INT32")).code).toBe('22P02');
  });

  it('says cancel and statement timeout apart, both 57014', () => {
    expect(pgErrorOf(new QueryCancelledError()).fields()).toMatchObject({ code: '57014', message: 'canceling statement due to user request' });
    expect(pgErrorOf(new QueryTimeoutError(1000)).message).toMatch(/^canceling statement due to statement timeout/);
  });

  it("answers a full queue with 53300 when it is the token's share, 53400 when it is the gateway's", () => {
    expect(pgErrorOf(new QueryOverloadedError('this token already has 10 queries waiting, the most one token may queue', 2)).code).toBe('53300');
    expect(pgErrorOf(new QueryOverloadedError("the gateway's query queue is full (100 waiting)", 2)).code).toBe('53400');
  });

  it('hides what a bug says', () => {
    expect(pgErrorOf(new TypeError('cannot read x of undefined')).fields()).toMatchObject({ code: 'XX000', message: 'internal error; the gateway log has the details' });
    expect(pgErrorOf(new FluxError('internal', 'QUERY_FAILED', 'secret path /srv/x')).message).not.toContain('/srv');
  });
});
