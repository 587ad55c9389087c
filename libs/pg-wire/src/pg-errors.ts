import { isFluxError } from '@flux-capacitor/contracts';
import { PgError } from './pg-messages';

/** SQLSTATE of the engine's error codes (postgresql.org/docs/current/errcodes-appendix.html). */
const SQLSTATE_OF_CODE: Record<string, string> = {
  QUERY_SYNTAX: '42601',
  QUERY_REJECTED: '42501',
  STREAM_FORBIDDEN: '42501',
  ENGINE_FORBIDDEN: '42501',
  FORBIDDEN: '42501',
  QUERY_CANCELLED: '57014',
  QUERY_TIMEOUT: '57014',
  QUERY_ENGINE_UNAVAILABLE: '58000',
  ARCHIVE_OBJECT_UNREADABLE: '58030',
  LIVE_TAIL_TOO_LARGE: '54000',
};

/** A QUERY_INVALID message (DuckDB's binder or catalog) to the closest SQLSTATE. */
function invalidState(message: string): string {
  if (/Table with name .* does not exist|Catalog Error: Table/i.test(message)) return '42P01';
  if (/Referenced column|column .* not found|does not have a column/i.test(message)) return '42703';
  if (/Scalar Function with name|function .* does not exist|No function matches/i.test(message)) return '42883';
  if (/Conversion Error|Could not convert|Invalid Input/i.test(message)) return '22P02';
  if (/Out of Range/i.test(message)) return '22003';
  if (/Not implemented/i.test(message)) return '0A000';
  return '42000';
}

/** Any error of a statement as the ErrorResponse a PostgreSQL client understands. */
export function pgErrorOf(err: unknown): PgError {
  if (err instanceof PgError) return err;
  if (isFluxError(err)) {
    if (err.code === 'QUERY_QUEUE_FULL') {
      // the token's own share full (53300 too_many_connections) or the whole queue (53400 configuration_limit_exceeded)
      return new PgError(/token/i.test(err.message) ? '53300' : '53400', err.message, { hint: 'try again shortly' });
    }
    if (err.code === 'QUERY_CANCELLED') return new PgError('57014', 'canceling statement due to user request');
    if (err.code === 'QUERY_TIMEOUT') return new PgError('57014', `canceling statement due to statement timeout (${err.message})`);
    if (err.code === 'QUERY_INVALID') return new PgError(invalidState(err.message), err.message);
    if (err.code === 'QUERY_SYNTAX') {
      const position = (err.details as { position?: number } | undefined)?.position;
      return new PgError('42601', err.message, { position: position === undefined ? undefined : position + 1 });
    }
    const state = SQLSTATE_OF_CODE[err.code] ?? (err.kind === 'forbidden' ? '42501' : err.kind === 'invalid-input' ? '42000' : err.kind === 'unavailable' ? '58000' : 'XX000');
    return new PgError(state, state === 'XX000' && err.kind === 'internal' ? 'internal error; the gateway log has the details' : err.message);
  }
  return new PgError('XX000', 'internal error; the gateway log has the details');
}
