import { FluxError } from '@flux-capacitor/contracts';
import type { Principal } from './principal';

/**
 * Whether the caller may touch `stream`. No principal means the route asked for no token (it is public), and a
 * principal without `streams` holds every stream. Names compare exactly: Kinesis stream names are case-sensitive.
 */
export function mayAccessStream(principal: Principal | undefined, stream: string): boolean {
  return !principal?.streams || principal.streams.has(stream);
}

/** Throws 403 naming the first of `streams` the caller does not hold (STREAM_FORBIDDEN, `details.stream`). */
export function assertStreamAccess(principal: Principal | undefined, streams: Iterable<string>): void {
  for (const stream of streams) {
    if (!mayAccessStream(principal, stream)) {
      throw new FluxError('forbidden', 'STREAM_FORBIDDEN', `this token is not granted stream ${stream}`, { details: { stream } });
    }
  }
}
