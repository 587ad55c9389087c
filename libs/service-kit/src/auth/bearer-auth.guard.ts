import { CanActivate, createParamDecorator, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiRole } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';
import type { Request } from 'express';
import type { Principal } from './principal';
import { TOKEN_VERIFIER, type TokenVerifier } from './token-verifier';

export type { Principal } from './principal';

const ROLE_KEY = 'flux:required-role';

/**
 * Marks a controller or route as needing a bearer token that grants `role`, or any one of several roles
 * (admin grants every role). The route finds the caller as `req.principal`, or with `@CurrentPrincipal()`.
 */
export const RequireRole = (...roles: [ApiRole, ...ApiRole[]]) => SetMetadata(ROLE_KEY, roles);

/** The caller the guard authenticated; undefined on a route without @RequireRole. */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal | undefined => ctx.switchToHttp().getRequest<{ principal?: Principal }>().principal);

/**
 * Bearer-token authentication for the HTTP APIs: no token or one the TokenVerifier does not accept is 401, a
 * token without the route's role is 403. Which streams a token holds is checked by the routes that touch streams
 * (assertStreamAccess), since only they know the streams.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const required = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new FluxError('unauthenticated', 'UNAUTHENTICATED', 'missing bearer token');
    const principal = await this.verifier.verify(match[1]);
    if (!principal) throw new FluxError('unauthenticated', 'UNAUTHENTICATED', 'unknown bearer token');
    if (!principal.roles.has('admin') && !required.some((r) => principal.roles.has(r))) {
      throw new FluxError('forbidden', 'FORBIDDEN', `this token lacks the ${required.map((r) => `"${r}"`).join(' or ')} role`);
    }
    req.principal = principal;
    return true;
  }
}
