import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import { QueryError, QuerySyntaxError, type QueryErrorKind } from '@flux-capacitor/query-engine';
import type { Response } from 'express';

const STATUS: Record<QueryErrorKind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  cancelled: 409,
  timeout: 504,
  unavailable: 503,
};

/** Query-engine errors become `{ error: code, message, ...details }` (a syntax error carries DuckDB's `position`). */
@Catch(QueryError)
export class QueryErrorFilter implements ExceptionFilter {
  catch(err: QueryError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: Record<string, unknown> = { error: err.code, message: err.message, ...err.details };
    if (err instanceof QuerySyntaxError && err.position !== undefined) body.position = err.position;
    res.status(STATUS[err.kind]).json(body);
  }
}
