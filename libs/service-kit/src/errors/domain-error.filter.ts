import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, HTTP_STATUS_OF_KIND } from './domain-error';

/** The one place domain errors become HTTP responses: `{ error: code, message, ...details }`. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof DomainError) {
      res
        .status(HTTP_STATUS_OF_KIND[exception.kind])
        .json({ error: exception.code, message: exception.message, ...exception.details });
      return;
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      res.status(exception.getStatus()).json({
        error: exception.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase(),
        message: Array.isArray(message) ? message.join('; ') : message,
      });
      return;
    }
    this.logger.error({ err: exception }, 'unhandled error');
    res.status(500).json({ error: 'INTERNAL', message: 'internal error' });
  }
}
