import { FairAdmission, type AdmissionTicket } from './fair-admission';
import { QueryOverloadedError } from './query.errors';

const never = () => new AbortController().signal;

/** Whether a ticket's `ready` has resolved, after the promise jobs queued so far have run. */
async function isReady(ticket: AdmissionTicket): Promise<boolean> {
  let ready = false;
  void ticket.ready.then(() => (ready = true));
  await new Promise((resolve) => setImmediate(resolve));
  return ready;
}

describe('FairAdmission', () => {
  it('runs at most maxRunningPerOwner queries of one owner, even with slots free, while another owner runs at once', async () => {
    const admission = new FairAdmission({ maxRunning: 2, maxRunningPerOwner: 1, maxQueued: 10, maxQueuedPerOwner: 10 });
    const heavy1 = admission.admit('abuser', never());
    const heavy2 = admission.admit('abuser', never());
    const quick = admission.admit('polite', never());
    expect(await isReady(heavy1)).toBe(true);
    expect(await isReady(heavy2)).toBe(false);
    expect(await isReady(quick)).toBe(true);
    quick.release();
    // the free slot stays free: the abuser is at its cap
    expect(admission.snapshot()).toEqual({ running: 1, queued: 1, owners: 1 });
    heavy1.release();
    expect(await isReady(heavy2)).toBe(true);
  });

  it('hands freed slots to the waiting owner served longest ago, not in arrival order', async () => {
    const admission = new FairAdmission({ maxRunning: 1, maxRunningPerOwner: 1, maxQueued: 10, maxQueuedPerOwner: 10 });
    const first = admission.admit('a', never());
    const order: string[] = [];
    // each query records its owner and finishes as soon as it gets the slot
    for (const owner of ['a', 'a', 'b', 'c', 'b']) {
      const ticket = admission.admit(owner, never());
      void ticket.ready.then(() => {
        order.push(owner);
        ticket.release();
      });
    }
    first.release();
    await vi.waitFor(() => expect(order).toHaveLength(5));
    // a was just served, so b and c come before a's next; then a, b (served before a's second), a
    expect(order).toEqual(['b', 'c', 'a', 'b', 'a']);
  });

  it('refuses past the queue bound and past an owner\'s share of it, with a Retry-After hint, and admits other owners', () => {
    const admission = new FairAdmission({ maxRunning: 1, maxRunningPerOwner: 1, maxQueued: 3, maxQueuedPerOwner: 2 });
    admission.admit('a', never());
    admission.admit('a', never());
    admission.admit('a', never());
    let refused: unknown;
    try {
      admission.admit('a', never());
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(QueryOverloadedError);
    expect(refused).toMatchObject({ kind: 'overloaded', code: 'QUERY_QUEUE_FULL', details: { retryAfterSeconds: expect.any(Number) } });
    expect((refused as QueryOverloadedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // another owner still gets a place, until the whole queue is full
    admission.admit('b', never());
    expect(() => admission.admit('c', never())).toThrow(/queue is full \(3 waiting\)/);
  });

  it('lets a cancelled waiter through at once without a slot, and frees its place in the queue', async () => {
    const admission = new FairAdmission({ maxRunning: 1, maxRunningPerOwner: 1, maxQueued: 1, maxQueuedPerOwner: 1 });
    const running = admission.admit('a', never());
    const controller = new AbortController();
    const waiting = admission.admit('b', controller.signal);
    expect(() => admission.admit('c', never())).toThrow(QueryOverloadedError);
    controller.abort();
    expect(await isReady(waiting)).toBe(true);
    waiting.release();
    expect(admission.snapshot()).toEqual({ running: 1, queued: 0, owners: 1 });
    const next = admission.admit('c', never());
    running.release();
    running.release();
    expect(await isReady(next)).toBe(true);
    next.release();
    expect(admission.snapshot()).toEqual({ running: 0, queued: 0, owners: 0 });
  });
});
