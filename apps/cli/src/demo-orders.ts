import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { randomUUID } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { setTimeout } from 'node:timers/promises';
import { createKinesisClient } from '@flux-capacitor/aws';
import { ensureStream, putBatch, type PutEntry } from './kinesis-stream';

/**
 * The demo producer of `fluxcap dev` (and `fluxcap produce --demo`): a small shop's order events, so a newcomer sees
 * archived and live records that behave like real ones. Orders go created → (updated) → paid → shipped, or get
 * cancelled; a few are deleted afterwards (`order.deleted`, as a privacy request would). The same order id appears in
 * several events, which is what compaction and the consumer SDK are for. The partition key is the customer, so one
 * customer's events stay in order on one shard.
 */

export type OrderEventType = 'order.created' | 'order.updated' | 'order.paid' | 'order.shipped' | 'order.cancelled' | 'order.deleted';

export interface OrderEvent {
  id: string;
  type: OrderEventType;
  order_id: string;
  customer: string;
  /** absent on order.deleted: a delete carries only the ids */
  status?: 'created' | 'paid' | 'shipped' | 'cancelled';
  amount?: number;
  currency?: 'EUR';
  items?: { sku: string; qty: number; price: number }[];
  at: string;
}

interface OpenOrder {
  orderId: string;
  customer: string;
  status: 'created' | 'paid' | 'shipped' | 'cancelled';
  items: { sku: string; qty: number; price: number }[];
}

const CUSTOMERS = 24;
const SKUS: [string, number][] = [
  ['flux-capacitor', 129.9],
  ['plutonium-cell', 49.5],
  ['hoverboard', 299],
  ['self-lacing-shoes', 89.99],
  ['sports-almanac', 19.95],
  ['time-circuit-display', 74.5],
];
/** Orders kept open at most; older ones are finished first so the set stays small. */
const MAX_OPEN = 40;

const amountOf = (items: OpenOrder['items']) => Math.round(items.reduce((sum, i) => sum + i.qty * i.price, 0) * 100) / 100;

export class DemoOrders {
  private readonly open: OpenOrder[] = [];
  private nextOrder: number;

  /**
   * `random` in [0, 1); a seeded one makes the sequence repeatable (tests). `firstOrder`: the number of the first
   * order created (`fluxcap dev` continues after the orders of its earlier runs, so order ids stay unique in the stream).
   */
  constructor(
    private readonly random: () => number = Math.random,
    firstOrder = 1,
  ) {
    this.nextOrder = firstOrder;
  }

  /** The number the next new order gets. */
  get nextOrderNumber(): number {
    return this.nextOrder;
  }

  /** The next event, as of `now`. */
  next(now: Date): OrderEvent {
    if (this.open.length < 5 || (this.open.length < MAX_OPEN && this.random() < 0.35)) return this.create(now);
    const index = Math.floor(this.random() * this.open.length);
    const order = this.open[index];
    const roll = this.random();
    switch (order.status) {
      case 'created':
        if (roll < 0.2) return this.update(order, now);
        if (roll < 0.8) return this.move(order, 'paid', now);
        return this.move(order, 'cancelled', now);
      case 'paid':
        if (roll < 0.1) return this.update(order, now);
        if (roll < 0.9) return this.move(order, 'shipped', now, index);
        return this.move(order, 'cancelled', now);
      default:
        // cancelled: deleted later, or simply forgotten (closed)
        this.open.splice(index, 1);
        if (roll < 0.6) return this.event('order.deleted', order, now, { withState: false });
        return this.create(now);
    }
  }

  /** The record to put: key = customer, data = the event as JSON. */
  nextRecord(now: Date): PutEntry & { event: OrderEvent } {
    const event = this.next(now);
    return { key: event.customer, data: Buffer.from(JSON.stringify(event)), event };
  }

  private create(now: Date): OrderEvent {
    const customer = `customer-${1 + Math.floor(this.random() * CUSTOMERS)}`;
    const count = 1 + Math.floor(this.random() * 3);
    const items = Array.from({ length: count }, () => {
      const [sku, price] = SKUS[Math.floor(this.random() * SKUS.length)];
      return { sku, qty: 1 + Math.floor(this.random() * 2), price };
    });
    const order: OpenOrder = { orderId: `order-${String(this.nextOrder++).padStart(5, '0')}`, customer, status: 'created', items };
    this.open.push(order);
    return this.event('order.created', order, now);
  }

  private update(order: OpenOrder, now: Date): OrderEvent {
    // the customer changes the quantity of one item
    const item = order.items[Math.floor(this.random() * order.items.length)];
    item.qty = item.qty === 1 ? 2 : 1;
    return this.event('order.updated', order, now);
  }

  private move(order: OpenOrder, status: 'paid' | 'shipped' | 'cancelled', now: Date, closeAt?: number): OrderEvent {
    order.status = status;
    if (closeAt !== undefined) this.open.splice(closeAt, 1);
    return this.event(`order.${status}`, order, now);
  }

  private event(type: OrderEventType, order: OpenOrder, now: Date, { withState = true } = {}): OrderEvent {
    const base = { id: randomUUIDFrom(this.random), type, order_id: order.orderId, customer: order.customer };
    if (!withState) return { ...base, at: now.toISOString() };
    return { ...base, status: order.status, amount: amountOf(order.items), currency: 'EUR', items: order.items.map((i) => ({ ...i })), at: now.toISOString() };
  }
}

/** An event id: random, but from the generator's own random source when it is seeded. */
function randomUUIDFrom(random: () => number): string {
  if (random === Math.random) return randomUUID();
  return `evt-${Math.floor(random() * 2 ** 48)
    .toString(16)
    .padStart(12, '0')}`;
}

export interface DemoProducerOptions {
  kinesis: KinesisClient;
  stream: string;
  /** records per second (a gentle few by default) */
  ratePerSecond?: number;
  signal: AbortSignal;
  /** a failed put (the emulator restarting): reported, then the producer carries on */
  onError?: (err: unknown) => void;
  onPut?: (count: number) => void;
  /** one PutRecords per interval (default 1 s) carrying ratePerSecond records; shorter in tests */
  intervalMs?: number;
  /** the generator (default: a new one numbering orders from 1) */
  orders?: DemoOrders;
  /** called with each batch before it is put (fluxcap dev saves the order numbers used so far) */
  beforePut?: (orders: DemoOrders) => void;
}

/** Writes demo order events into `stream` until the signal aborts; resolves with the number of records put. */
export async function runDemoProducer(options: DemoProducerOptions): Promise<number> {
  const rate = options.ratePerSecond ?? 3;
  const interval = options.intervalMs ?? 1000;
  const orders = options.orders ?? new DemoOrders();
  let put = 0;
  while (!options.signal.aborted) {
    const started = Date.now();
    // One PutRecords a second carrying that second's records: a steady trickle with few calls.
    const batch = Array.from({ length: Math.max(1, Math.round(rate)) }, () => orders.nextRecord(new Date()));
    try {
      options.beforePut?.(orders);
      const n = await putBatch(options.kinesis, options.stream, batch, options.signal);
      put += n;
      options.onPut?.(n);
    } catch (err) {
      if (options.signal.aborted) break;
      options.onError?.(err);
    }
    // node:timers/promises removes its abort listener when the wait ends; one added per loop would pile up.
    await setTimeout(Math.max(0, interval - (Date.now() - started)), undefined, { signal: options.signal }).catch((err: unknown) => {
      if (!options.signal.aborted) throw err;
    });
  }
  return put;
}

/** The number of the next demo order saved in `file` (`{"nextOrder": n}`), 1 when there is none. */
export function readNextOrder(file: string): number {
  try {
    const n = (JSON.parse(readFileSync(file, 'utf8')) as { nextOrder?: unknown }).nextOrder;
    return Number.isSafeInteger(n) && (n as number) > 0 ? (n as number) : 1;
  } catch {
    return 1;
  }
}

/** Saves the next order number; a rename, so a kill mid-write leaves the old file, never a torn one. */
export function saveNextOrder(file: string, nextOrder: number): void {
  writeFileSync(`${file}.tmp`, JSON.stringify({ nextOrder }));
  renameSync(`${file}.tmp`, file);
}

/**
 * `fluxcap dev`'s demo: writes into `stream` on the dev stack's Kinesis until the signal aborts, saying so once in
 * the log (and once more when puts start failing, not on every failure). With `stateFile` the order numbers continue
 * from the previous run's (saved before each batch is put, so a kill never lets a number be used twice), since the
 * stream keeps that run's records.
 */
export function startDevDemo(
  endpoints: { region: string; kinesis: string },
  stream: string,
  signal: AbortSignal,
  say: (line: string) => void,
  stateFile?: string,
): void {
  const kinesis = createKinesisClient({ region: endpoints.region, endpoints: { kinesis: endpoints.kinesis }, s3ForcePathStyle: true });
  let failing = false;
  const orders = new DemoOrders(Math.random, stateFile ? readNextOrder(stateFile) : 1);
  say(`demo producer: writing order events into ${stream}, 3 per second (--no-demo turns it off)`);
  // The stream exists already unless FLUX_ARCHIVER_STREAMS names others; create it as `fluxcap produce` would.
  void ensureStream(kinesis, stream, 2)
    .then(() =>
      runDemoProducer({
        kinesis,
        stream,
        signal,
        orders,
        beforePut: stateFile ? (o) => saveNextOrder(stateFile, o.nextOrderNumber) : undefined,
        onPut: () => (failing = false),
        onError: (err) => {
          if (!failing) say(`demo producer: put failed (${err instanceof Error ? err.message : String(err)}); retrying`);
          failing = true;
        },
      }),
    )
    .catch((err: unknown) => say(`demo producer stopped: ${err instanceof Error ? err.message : String(err)}`))
    .finally(() => kinesis.destroy());
}
