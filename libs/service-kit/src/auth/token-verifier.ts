import { Inject, Injectable } from '@nestjs/common';
import { FLUX_CONFIG, type FluxConfig, type TokenGrant } from '@flux-capacitor/config';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal } from './principal';

/**
 * Turns a bearer credential into a Principal, or undefined when it is not one this service accepts (401).
 * The extension point for other credentials: an OIDC/JWT verifier implements this (checking signature, issuer,
 * audience and expiry, and mapping claims to roles and streams) and is passed as `FluxServiceModule.forRoot({
 * tokenVerifier })`. BearerAuthGuard then checks roles, and controllers check streams, the same way for every kind.
 */
export interface TokenVerifier {
  verify(token: string): Promise<Principal | undefined> | Principal | undefined;
}

/** Nest injection token of the TokenVerifier the guard calls. */
export const TOKEN_VERIFIER = Symbol.for('flux-capacitor.token-verifier');

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * The default verifier: the static tokens of FLUX_API_TOKENS. Compares in constant time: each candidate's SHA-256
 * against the presented token's, for every configured token (no early exit), so neither the time taken nor the
 * lengths involved tell a caller how close a guess came.
 */
@Injectable()
export class StaticTokenVerifier implements TokenVerifier {
  private readonly grants: { digest: Buffer; grant: TokenGrant }[];

  constructor(@Inject(FLUX_CONFIG) config: FluxConfig) {
    this.grants = [...config.auth.tokens].map(([token, grant]) => ({ digest: digest(token), grant }));
  }

  verify(token: string): Principal | undefined {
    const presented = digest(token);
    let found: TokenGrant | undefined;
    for (const { digest: candidate, grant } of this.grants) if (timingSafeEqual(candidate, presented)) found = grant;
    if (!found) return undefined;
    return { id: `token:${presented.toString('hex').slice(0, 12)}`, roles: found.roles, ...(found.streams ? { streams: found.streams } : {}) };
  }
}
