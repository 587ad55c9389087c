import { describe, expect, it } from 'vitest';
import { jsonPathCompletion, jsonPathExpression, sqlColumnName, sqlNamespace } from './sql-completion';
import { cellText, prettyJson } from './cell-text';
import { formatBytes } from './record-bytes';
import { parse } from 'lossless-json';
import type { CompletionContext } from '@codemirror/autocomplete';

describe('jsonPathExpression', () => {
  it('turns catalog field paths into DuckDB JSON expressions with text at the leaf', () => {
    expect(jsonPathExpression('customer')).toBe(`payload->>'customer'`);
    expect(jsonPathExpression('address.city')).toBe(`payload->'address'->>'city'`);
    expect(jsonPathExpression('items[].sku')).toBe(`payload->'items'`);
    expect(jsonPathExpression("o'brien")).toBe(`payload->>'o''brien'`);
  });

  it('offers each field once when the word before the cursor is payload or a path in it', () => {
    const source = jsonPathCompletion(() => [
      { stream: 'orders', fields: [{ path: 'customer', types: ['string'], nullable: false, firstSeen: '', lastSeen: '' }] },
      { stream: 'payments', fields: [{ path: 'customer', types: ['string'], nullable: true, firstSeen: '', lastSeen: '' }] },
    ]);
    const at = (text: string) =>
      source({ explicit: false, pos: text.length, matchBefore: (re: RegExp) => { const m = new RegExp(`(?:${re.source})`).exec(text); return m ? { from: m.index, to: text.length, text: m[0] } : null; } } as unknown as CompletionContext);
    expect(at('SELECT payload->')).toMatchObject({ from: 7, options: [{ label: `payload->>'customer'` }] });
    expect(at('SELECT amount')).toBeNull();
  });
});

describe('sqlNamespace', () => {
  it('lists a stream table\'s typed field columns from its catalog schema after the stream columns', () => {
    const field = (path: string, types: string[], nullable = false) => ({ path, types, nullable, firstSeen: '', lastSeen: '' });
    const ns = sqlNamespace(['orders', 'payments'], [
      { stream: 'orders', fields: [field('customer', ['string']), field('address.city', ['string']), field('items[].sku', ['string']), field('amount', ['integer', 'number'], true), field('source', ['string'])] },
    ]) as Record<string, { label: string; detail: string }[]>;
    expect(ns.orders.slice(8).map((c) => `${c.label} ${c.detail}`)).toEqual([
      '"payload.customer" VARCHAR (field)',
      '"payload.source" VARCHAR (field)',
      '"payload.address.city" VARCHAR (field)',
      '"payload.amount" DOUBLE (field)',
    ]);
    expect(ns.payments).toHaveLength(8);
  });

  it('quotes every typed column name that is not a plain lower-case identifier or is a keyword', () => {
    const field = (path: string) => ({ path, types: ['string'], nullable: false, firstSeen: '', lastSeen: '' });
    const ns = sqlNamespace(['orders'], [{ stream: 'orders', fields: ['customer', 'order', 'Customer Id', 'user-id', 'Amount', 'say"hi', 'é', '_n1'].map(field) }]) as Record<string, { label: string }[]>;
    // say"hi is no field key (not chosen); the rest in the gateway's order
    expect(ns.orders.slice(8).map((c) => c.label)).toEqual(['"payload.Amount"', '"payload.Customer Id"', '"payload._n1"', '"payload.customer"', '"payload.order"', '"payload.user-id"', '"payload.é"']);
    expect(sqlColumnName('customer')).toBe('customer');
    expect(sqlColumnName('_n1')).toBe('_n1');
    expect(sqlColumnName('order')).toBe('"order"');
    expect(sqlColumnName('select')).toBe('"select"');
    expect(sqlColumnName('Customer Id')).toBe('"Customer Id"');
    expect(sqlColumnName('user-id')).toBe('"user-id"');
    expect(sqlColumnName('Amount')).toBe('"Amount"');
    expect(sqlColumnName('say"hi')).toBe('"say""hi"');
    expect(sqlColumnName('payload.customer')).toBe('"payload.customer"');
    expect(sqlColumnName('1st')).toBe('"1st"');
  });
});

describe('record values', () => {
  it('keeps a 56-digit sequence number and big integers exact', () => {
    const row = parse('{"sequence_number":"49680742288202251587022645721327979529552005549659258","n":12345678901234567890}') as Record<string, unknown>;
    expect(cellText(row.sequence_number)).toBe('49680742288202251587022645721327979529552005549659258');
    expect(cellText(row.n)).toBe('12345678901234567890');
    expect(prettyJson(row)).toContain('"n": 12345678901234567890');
    expect(cellText(null)).toBe('NULL');
  });

  it('shows raw bytes as UTF-8, hex and base64', () => {
    const base64 = btoa('{"a":1}');
    expect(formatBytes(base64, 'utf8')).toBe('{"a":1}');
    expect(formatBytes(base64, 'hex')).toBe('00000000  7b 22 61 22 3a 31 7d');
    expect(formatBytes(base64, 'base64')).toBe(base64);
  });
});
