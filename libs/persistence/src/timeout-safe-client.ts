import { Client } from 'pg';

/** What node-postgres rejects a query with once `query_timeout` passes. */
const READ_TIMEOUT = 'Query read timeout';

const isReadTimeout = (err: unknown): boolean => err instanceof Error && err.message === READ_TIMEOUT;

/**
 * The pool's client (pg-pool's `Client` option): a `pg` Client that closes its connection once a query on it timed
 * out on the client side (`query_timeout`).
 *
 * node-postgres only reports the timeout: a query already on the wire stays in flight, and the client goes back to
 * the pool looking healthy. Over a partition the statement was merely held up; when the network heals the server
 * runs it, after the transaction it belonged to was given up (its ROLLBACK timed out too and was never sent). That
 * transaction then stays open on the pooled connection, holding its locks, and the next transaction taken from the
 * pool runs inside it: its COMMIT commits the half of the failed one as well (an SQS inbox row without the handler's
 * work, so a redelivery is skipped as a duplicate). Closing the connection instead makes the server roll the failed
 * transaction back, and pg-pool drops a client that is ending rather than lend it again. Promise and callback
 * queries are watched (TypeORM's and pg-pool's); a submittable (pg-query-stream) is not: nothing streams from Postgres.
 */
export class TimeoutSafeClient extends Client {
  // pg's `query` has a dozen overloads; every shape goes through here unchanged (see below), so `any` is honest.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (err: unknown, ...rest: unknown[]) => void;
      args[last] = (err: unknown, ...rest: unknown[]) => {
        if (isReadTimeout(err)) this.abandon();
        callback(err, ...rest);
      };
    }
    const result = super.query(...(args as [string]));
    if (result instanceof Promise) {
      return result.catch((err: unknown) => {
        if (isReadTimeout(err)) this.abandon();
        throw err;
      });
    }
    return result;
  }

  /**
   * Ends the connection: with a query still in flight pg destroys the socket at once (a Terminate could not get
   * through anyway). `end()` marks the client as ending before it returns, so a release that follows removes it
   * from the pool, and a query that follows (TypeORM's ROLLBACK) fails at once instead of waiting out another timeout.
   */
  private abandon(): void {
    this.end().catch(() => undefined);
  }
}
