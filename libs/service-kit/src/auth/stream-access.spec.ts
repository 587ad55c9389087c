import type { ExecutionContext } from '@nestjs/common';
import { FluxError } from '@flux-capacitor/contracts';
import type { Principal } from './principal';
import { assertStreamAccess, mayAccessStream } from './stream-access';
import { StreamParamGuard } from './stream-param.guard';

const everyStream: Principal = { id: 'token:all', roles: new Set(['query']) };
const ordersOnly: Principal = { id: 'token:orders', roles: new Set(['query']), streams: new Set(['orders', 'payments']) };

describe('stream access', () => {
  it('lets a token without a stream list touch every stream', () => {
    expect(() => assertStreamAccess(everyStream, ['orders', 'anything'])).not.toThrow();
    expect(mayAccessStream(undefined, 'orders')).toBe(true);
  });

  it('refuses with 403 naming the first stream the token lacks', () => {
    expect(() => assertStreamAccess(ordersOnly, ['orders', 'payments'])).not.toThrow();
    let thrown: unknown;
    try {
      assertStreamAccess(ordersOnly, ['orders', 'billing', 'audit']);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(FluxError);
    expect(thrown).toMatchObject({ kind: 'forbidden', code: 'STREAM_FORBIDDEN', details: { stream: 'billing' } });
    expect((thrown as Error).message).toContain('billing');
  });

  it('compares names exactly, as Kinesis does', () => {
    expect(mayAccessStream(ordersOnly, 'Orders')).toBe(false);
    expect(mayAccessStream(ordersOnly, 'orders')).toBe(true);
  });
});

describe('StreamParamGuard', () => {
  const contextFor = (principal: Principal | undefined, params: Record<string, string>) =>
    ({ switchToHttp: () => ({ getRequest: () => ({ principal, params }) }) }) as unknown as ExecutionContext;

  it('refuses a :stream the token lacks, naming it, and passes granted streams and routes without one', () => {
    const guard = new StreamParamGuard();
    expect(() => guard.canActivate(contextFor(ordersOnly, { stream: 'billing' }))).toThrow(/stream billing/);
    expect(guard.canActivate(contextFor(ordersOnly, { stream: 'orders' }))).toBe(true);
    expect(guard.canActivate(contextFor(ordersOnly, {}))).toBe(true);
    expect(guard.canActivate(contextFor(everyStream, { stream: 'billing' }))).toBe(true);
  });
});
