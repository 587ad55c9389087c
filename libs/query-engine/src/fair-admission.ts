import { QueryOverloadedError } from './query.errors';

export interface FairAdmissionLimits {
  /** queries running at once, over every owner */
  maxRunning: number;
  /** queries one owner (a token) runs at once; the rest of its queries wait even when other slots are free */
  maxRunningPerOwner: number;
  /** queries waiting for a slot, over every owner; one more is refused (429) */
  maxQueued: number;
  /** queries one owner has waiting; one more of its own is refused, so one owner cannot fill the queue */
  maxQueuedPerOwner: number;
}

/** A query's place, taken at submission: it waits in the queue until `ready`, then holds a slot until `release()`. */
export interface AdmissionTicket {
  /** Resolves once the query holds a slot, or at once when its signal aborts (it then finds itself cancelled). */
  ready: Promise<void>;
  /** Frees the slot (or the place in the queue); safe to call more than once. */
  release(): void;
}

interface Waiter {
  owner: string;
  go: () => void;
}

interface Owner {
  running: number;
  waiting: Waiter[];
  /** when it last got a slot (a counter); 0 for an owner not served since it came */
  servedAt: number;
}

/** How many recent run times the Retry-After estimate averages (exponentially weighted). */
const DURATION_WEIGHT = 0.2;
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * Admission of queries to the gateway's slots, fair between owners (bearer tokens):
 * - a query is admitted at submission or refused there with QueryOverloadedError (429 + Retry-After) when the queue,
 *   or its owner's share of it, is full: the queue and what it holds stay bounded;
 * - an owner runs at most `maxRunningPerOwner` queries at once, so two unbounded queries of one token cannot hold
 *   every slot while other tokens wait;
 * - a freed slot goes to the waiting owner served longest ago (round robin; oldest query of each first), not to
 *   whoever queued most.
 * Owners are kept only while they have queries running or waiting.
 */
export class FairAdmission {
  private running = 0;
  private queued = 0;
  /** owners with queries running or waiting */
  private readonly owners = new Map<string, Owner>();
  private served = 0;
  private avgRunMs = 1000;

  constructor(private readonly limits: FairAdmissionLimits) {}

  /**
   * Takes a place for one query of `owner`, or throws QueryOverloadedError when it would have to wait and the queue
   * (or the owner's share of it) is full. Synchronous, so the caller refuses before it hands out an id.
   */
  admit(owner: string, signal: AbortSignal): AdmissionTicket {
    this.refuseIfFull(owner);
    const waits = !this.canRun(owner);
    let state: 'waiting' | 'running' | 'done' = 'waiting';
    let startedAt = 0;
    const take = () => {
      state = 'running';
      startedAt = Date.now();
      this.running++;
      const entry = this.ownerOf(owner);
      entry.running++;
      entry.servedAt = ++this.served;
    };
    let resolveReady = () => undefined as void;
    const ready = new Promise<void>((resolve) => (resolveReady = resolve));
    const waiter: Waiter = {
      owner,
      go: () => {
        signal.removeEventListener('abort', cancel);
        take();
        resolveReady();
      },
    };
    const cancel = () => {
      this.unqueue(waiter);
      state = 'done';
      resolveReady();
    };
    if (!waits) {
      take();
      resolveReady();
    } else {
      this.ownerOf(owner).waiting.push(waiter);
      this.queued++;
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
    }
    return {
      ready,
      release: () => {
        if (state === 'running') {
          this.running--;
          this.ownerOf(owner).running--;
          this.avgRunMs += DURATION_WEIGHT * (Date.now() - startedAt - this.avgRunMs);
        } else if (state === 'waiting') {
          this.unqueue(waiter);
        }
        state = 'done';
        this.forget(owner);
        this.dispatch();
      },
    };
  }

  /**
   * Throws QueryOverloadedError when a query of `owner` would have to wait and the queue (or the owner's share of it)
   * is full. The caller may ask before costly checks of the query, so a flood is refused cheaply; `admit` asks again.
   */
  refuseIfFull(owner: string): void {
    if (this.canRun(owner)) return;
    if (this.queued >= this.limits.maxQueued) {
      throw new QueryOverloadedError(`the gateway's query queue is full (${this.limits.maxQueued} waiting)`, this.retryAfterSeconds());
    }
    const ownerQueued = this.owners.get(owner)?.waiting.length ?? 0;
    if (ownerQueued >= this.limits.maxQueuedPerOwner) {
      throw new QueryOverloadedError(`this token already has ${ownerQueued} queries waiting, the most one token may queue`, this.retryAfterSeconds());
    }
  }

  /** Seconds a refused client should wait: the queue ahead of it, drained at the recent average run time. */
  private retryAfterSeconds(): number {
    const ahead = (this.queued + 1) / this.limits.maxRunning;
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil((ahead * this.avgRunMs) / 1000)));
  }

  private canRun(owner: string): boolean {
    return this.running < this.limits.maxRunning && (this.owners.get(owner)?.running ?? 0) < this.limits.maxRunningPerOwner;
  }

  /** Hands free slots to waiting queries: each to the owner served longest ago that may run one more. */
  private dispatch(): void {
    while (this.running < this.limits.maxRunning) {
      let next: Owner | undefined;
      for (const entry of this.owners.values()) {
        if (entry.waiting.length > 0 && entry.running < this.limits.maxRunningPerOwner && (!next || entry.servedAt < next.servedAt)) next = entry;
      }
      const waiter = next?.waiting.shift();
      if (!waiter) return;
      this.queued--;
      waiter.go();
    }
  }

  private unqueue(waiter: Waiter): void {
    const entry = this.owners.get(waiter.owner);
    const i = entry ? entry.waiting.indexOf(waiter) : -1;
    if (!entry || i < 0) return;
    entry.waiting.splice(i, 1);
    this.queued--;
    this.forget(waiter.owner);
  }

  private ownerOf(owner: string): Owner {
    let entry = this.owners.get(owner);
    if (!entry) {
      entry = { running: 0, waiting: [], servedAt: 0 };
      this.owners.set(owner, entry);
    }
    return entry;
  }

  private forget(owner: string): void {
    const entry = this.owners.get(owner);
    if (entry && entry.running === 0 && entry.waiting.length === 0) this.owners.delete(owner);
  }

  /** What the gateway holds now, for logs and tests. */
  snapshot(): { running: number; queued: number; owners: number } {
    return { running: this.running, queued: this.queued, owners: this.owners.size };
  }
}
