import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from './principal';
import { assertStreamAccess } from './stream-access';

/**
 * For routes with a `:stream` path parameter (`@UseGuards(StreamParamGuard)` on the controller): 403 naming the
 * stream when the caller's token does not hold it. Runs after BearerAuthGuard (global guards run first) and before
 * any pipe, so a limited token learns nothing about a stream it lacks, not even whether the name is valid or known.
 */
@Injectable()
export class StreamParamGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const stream = req.params?.stream;
    if (typeof stream === 'string') assertStreamAccess(req.principal, [stream]);
    return true;
  }
}
