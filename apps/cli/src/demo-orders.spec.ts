import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoOrders, readNextOrder, saveNextOrder, type OrderEvent } from './demo-orders';

/** A small deterministic generator (mulberry32), so the test sees the same sequence every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('DemoOrders', () => {
  const events: OrderEvent[] = [];
  const demo = new DemoOrders(seeded(42));
  for (let i = 0; i < 2000; i++) events.push(demo.next(new Date(Date.UTC(2026, 11, 1, 12, 0, i))));

  it('writes every kind of order event, updates and deletes of the same order ids included', () => {
    const types = new Set(events.map((e) => e.type));
    expect([...types].sort()).toEqual(['order.cancelled', 'order.created', 'order.deleted', 'order.paid', 'order.shipped', 'order.updated']);
    const perOrder = new Map<string, OrderEvent[]>();
    for (const e of events) perOrder.set(e.order_id, [...(perOrder.get(e.order_id) ?? []), e]);
    const updatedOrDeleted = [...perOrder.values()].filter((es) => es.length > 1 && es.some((e) => e.type === 'order.updated' || e.type === 'order.deleted'));
    expect(updatedOrDeleted.length).toBeGreaterThan(10);
  });

  it("keeps each order's life in order and on one customer: created first, nothing after shipped or deleted", () => {
    const seen = new Map<string, OrderEvent[]>();
    for (const e of events) seen.set(e.order_id, [...(seen.get(e.order_id) ?? []), e]);
    for (const [, es] of seen) {
      expect(es[0].type).toBe('order.created');
      expect(new Set(es.map((e) => e.customer)).size).toBe(1);
      const end = es.findIndex((e) => e.type === 'order.shipped' || e.type === 'order.deleted');
      if (end >= 0) expect(end).toBe(es.length - 1);
      const paid = es.findIndex((e) => e.type === 'order.paid');
      const shipped = es.findIndex((e) => e.type === 'order.shipped');
      if (shipped >= 0) expect(paid).toBeGreaterThanOrEqual(0);
      if (shipped >= 0) expect(paid).toBeLessThan(shipped);
    }
  });

  it('gives amounts that match the items, and a delete only the ids', () => {
    for (const e of events) {
      if (e.type === 'order.deleted') {
        expect(Object.keys(e).sort()).toEqual(['at', 'customer', 'id', 'order_id', 'type']);
        continue;
      }
      const total = Math.round((e.items ?? []).reduce((s, i) => s + i.qty * i.price, 0) * 100) / 100;
      expect(e.amount).toBe(total);
      expect(e.amount).toBeGreaterThan(0);
    }
  });

  it('keys each record by its customer', () => {
    const record = new DemoOrders(seeded(1)).nextRecord(new Date());
    expect(record.key).toBe(record.event.customer);
    expect(JSON.parse(Buffer.from(record.data).toString('utf8'))).toEqual(record.event);
  });

  it('numbers orders on from firstOrder, and says which number comes next', () => {
    const demo = new DemoOrders(seeded(7), 1234);
    const created = Array.from({ length: 200 }, () => demo.next(new Date())).filter((e) => e.type === 'order.created');
    expect(created[0].order_id).toBe('order-01234');
    expect(demo.nextOrderNumber).toBe(1234 + created.length);
  });
});

describe('readNextOrder and saveNextOrder', () => {
  it('keep the next order number in a file, 1 when it is missing or unreadable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-orders-'));
    try {
      const file = join(dir, 'demo-orders.json');
      expect(readNextOrder(file)).toBe(1);
      saveNextOrder(file, 42);
      expect(readNextOrder(file)).toBe(42);
      writeFileSync(file, '{"nextOrder": "x"');
      expect(readNextOrder(file)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
