import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PROBLEM_CONTENT_TYPE, problemOf } from './problem-details';

/**
 * The one place errors become HTTP answers: a FluxError by its kind (HTTP_STATUS_OF_KIND), a Nest HttpException by
 * its status, anything else as 500 with a generic detail; always as `application/problem+json`. Internal errors
 * and anything unknown are logged with their stack; no internal message reaches the client.
 *
 * Outside HTTP (an SQS handler) the error is rethrown untouched: the SQS server decides retry or dead-letter from
 * its kind (sqs-transport `sqsOutcomeOf`) and needs the original, which Nest's default RPC filter would replace.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const instance = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const { problem, internal } = problemOf(exception, instance);
    const fields = { err: exception, method: req.method, path: instance, status: problem.status, code: problem.code };
    if (internal) this.logger.error(fields, 'request failed with an internal error');
    else if (problem.status >= 500) this.logger.warn(fields, 'request failed: a dependency is unavailable or too slow');
    if (res.headersSent) {
      // A streamed answer (NDJSON, CSV) had started: the client sees it cut short.
      res.end();
      return;
    }
    // 429 (overloaded) and 503 tell the client when to come back (RFC 9110 Retry-After), when the error knows
    const retryAfter = problem.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('retry-after', String(Math.ceil(retryAfter)));
    res.status(problem.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
  }
}
