import { loadConfig } from '@flux-capacitor/config';
import { FluxError } from '@flux-capacitor/contracts';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { BearerAuthGuard, RequireRole } from './bearer-auth.guard';
import type { Principal } from './principal';
import { StaticTokenVerifier, type TokenVerifier } from './token-verifier';

const ALL = 'all-streams-token-0123456789';
const ORDERS = 'orders-only-token-0123456789';
const REPLAY = 'replay-only-token-0123456789';
const config = loadConfig({
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/flux',
  FLUX_ARCHIVE_URI: 's3://flux-archive/archive',
  FLUX_API_TOKENS: `${ALL}:query,${ORDERS}:query+replay@orders+payments,${REPLAY}:replay`,
});

class Routes {
  @RequireRole('query')
  read() {
    return 'read';
  }

  open() {
    return 'open';
  }
}

function call(handler: keyof Routes, authorization?: string) {
  const req: { headers: Record<string, string>; principal?: Principal } = { headers: authorization ? { authorization } : {} };
  const context = {
    getHandler: () => Routes.prototype[handler],
    getClass: () => Routes,
    switchToHttp: () => ({ getRequest: () => req }),
  } as unknown as ExecutionContext;
  return { req, context };
}

async function rejection(guard: BearerAuthGuard, context: ExecutionContext): Promise<FluxError> {
  const err = await guard.canActivate(context).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FluxError);
  return err as FluxError;
}

describe('BearerAuthGuard with the static verifier', () => {
  const guard = new BearerAuthGuard(new Reflector(), new StaticTokenVerifier(config));

  it('puts the token roles and streams on the request, never the token', async () => {
    const { req, context } = call('read', `Bearer ${ORDERS}`);
    expect(await guard.canActivate(context)).toBe(true);
    const { id, roles, streams } = req.principal ?? { id: '', roles: new Set() };
    expect([...roles]).toEqual(['query', 'replay']);
    expect([...(streams ?? [])]).toEqual(['orders', 'payments']);
    expect(id).toMatch(/^token:[0-9a-f]{12}$/);
    expect(JSON.stringify({ id, roles: [...roles], streams: [...(streams ?? [])] })).not.toContain(ORDERS);
  });

  it('leaves an unrestricted token without a stream list', async () => {
    const { req, context } = call('read', `Bearer ${ALL}`);
    await guard.canActivate(context);
    expect(req.principal).toBeDefined();
    expect(req.principal?.streams).toBeUndefined();
  });

  it('answers 401 without a token or for an unknown one (also a prefix or an extension of a real one)', async () => {
    expect(await rejection(guard, call('read').context)).toMatchObject({ kind: 'unauthenticated', message: 'missing bearer token' });
    for (const guess of ['nope', ALL.slice(0, -1), `${ALL}x`]) {
      expect(await rejection(guard, call('read', `Bearer ${guess}`).context)).toMatchObject({ kind: 'unauthenticated', message: 'unknown bearer token' });
    }
  });

  it('answers 403 for a token without the role', async () => {
    expect(await rejection(guard, call('read', `Bearer ${REPLAY}`).context)).toMatchObject({ kind: 'forbidden', code: 'FORBIDDEN' });
  });

  it('asks for nothing on a route without @RequireRole', async () => {
    const { req, context } = call('open');
    expect(await guard.canActivate(context)).toBe(true);
    expect(req.principal).toBeUndefined();
  });
});

describe('BearerAuthGuard with another TokenVerifier', () => {
  it('takes the principal a custom verifier returns (the OIDC/JWT extension point)', async () => {
    const seen: string[] = [];
    const jwtLike: TokenVerifier = {
      verify: async (token) => {
        seen.push(token);
        return token === 'signed.jwt.value' ? { id: 'oidc:alice', roles: new Set(['query']), streams: new Set(['orders']) } : undefined;
      },
    };
    const guard = new BearerAuthGuard(new Reflector(), jwtLike);
    const { req, context } = call('read', 'Bearer signed.jwt.value');
    expect(await guard.canActivate(context)).toBe(true);
    expect(req.principal).toMatchObject({ id: 'oidc:alice' });
    expect(await rejection(guard, call('read', 'Bearer forged.jwt.value').context)).toMatchObject({ kind: 'unauthenticated' });
    expect(seen).toEqual(['signed.jwt.value', 'forged.jwt.value']);
  });
});
