import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { FLUX_CONFIG, type ApiRole, type FluxConfig } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';

const ROLE_KEY = 'flux:required-role';

/**
 * Marks a controller or route as needing a bearer token that grants `role`, or any one of several roles
 * (admin grants every role). The route finds the caller as `req.principal`.
 */
export const RequireRole = (...roles: [ApiRole, ...ApiRole[]]) => SetMetadata(ROLE_KEY, roles);

/** Who called: the token's roles and a fingerprint that names the token in audit trails without revealing it. */
export interface Principal {
  id: string;
  roles: Set<ApiRole>;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Bearer-token authentication for the HTTP APIs: no token or an unknown one is 401, a token without the
 * route's role is 403. Tokens and their roles come from FLUX_API_TOKENS.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(FLUX_CONFIG) private readonly config: FluxConfig,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<ApiRole[] | undefined>(ROLE_KEY, [context.getHandler(), context.getClass()]);
    if (!required) return true;
    const req = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new FluxError('unauthenticated', 'UNAUTHENTICATED', 'missing bearer token');
    let roles: Set<ApiRole> | undefined;
    for (const [token, granted] of this.config.auth.tokens) if (safeEqual(token, match[1])) roles = granted;
    if (!roles) throw new FluxError('unauthenticated', 'UNAUTHENTICATED', 'unknown bearer token');
    if (!roles.has('admin') && !required.some((r) => roles.has(r))) {
      throw new FluxError('forbidden', 'FORBIDDEN', `this token lacks the ${required.map((r) => `"${r}"`).join(' or ')} role`);
    }
    req.principal = { id: `token:${createHash('sha256').update(match[1]).digest('hex').slice(0, 12)}`, roles };
    return true;
  }
}
