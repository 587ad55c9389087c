import { describe, expect, it } from 'vitest';
import { archiveFieldColumn, FIELD_COLUMN_NAME, fieldColumnNames, fieldJsonPath, fieldValueSql, selectFieldColumns } from './field-columns';

describe('field columns', () => {
  it('quotes every JSONPath step and doubles quotes in the SQL literal', () => {
    expect(fieldJsonPath(['address', 'city'])).toBe('$."address"."city"');
    expect(fieldValueSql('data_json', ["o'brien"])).toBe(`json_extract_string(data_json, '$."o''brien"')`);
    expect(() => fieldJsonPath(['a"b'])).toThrow(/not a field key/);
    expect(() => fieldJsonPath(['a.b'])).toThrow(/not a field key/);
  });

  it('names columns readably and never twice', () => {
    expect(fieldColumnNames([['customer'], ['address', 'city'], ['a-b'], ['a_b'], ['A_B']])).toEqual([
      'payload__customer',
      'payload__address__city',
      'payload__a_b',
      'payload__a_b_2',
      'payload__A_B_3',
    ]);
  });

  it('names every column as archiveFieldColumn accepts it, numbered suffixes and odd keys included', () => {
    const paths = [['customer'], ['Customer Id'], ['user-id'], ['é'], ['ü'], ['a'.repeat(128), 'b'.repeat(128)], ['a'.repeat(128), 'b'.repeat(128)], ['order'], ['x', 'y', 'z']];
    const names = fieldColumnNames(paths);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(paths.length);
    for (const [i, column] of names.entries()) {
      expect(column).toMatch(FIELD_COLUMN_NAME);
      expect(archiveFieldColumn.safeParse({ path: paths[i], column }).success).toBe(true);
    }
  });

  it('refuses field column metadata a reader could not use: keys that are not field keys, columns not named payload__', () => {
    const ok = { path: ['customer', 'city'], column: 'payload__customer__city' };
    expect(archiveFieldColumn.parse(ok)).toEqual(ok);
    for (const bad of [
      { ...ok, path: ['a"b'] },
      { ...ok, path: ['a.b'] },
      { ...ok, path: [''] },
      { ...ok, path: ['tab\tkey'] },
      { ...ok, path: [] },
      { ...ok, column: 'shard_id' },
      { ...ok, column: 'payload__' },
      { ...ok, column: 'payload__a"b' },
      { ...ok, column: 'payload__a.b' },
    ]) {
      expect(archiveFieldColumn.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('chooses scalar paths outside arrays, always-present first, then shallow, bounded', () => {
    const chosen = selectFieldColumns(
      [
        { path: 'total', types: ['integer', 'number'], nullable: false },
        { path: 'note', types: ['string'], nullable: true },
        { path: 'address', types: ['object'], nullable: false },
        { path: 'address.city', types: ['string'], nullable: false },
        { path: 'items', types: ['array'], nullable: false },
        { path: 'items[].sku', types: ['string'], nullable: false },
        { path: 'qty', types: ['integer'], nullable: false },
        { path: 'paid', types: ['boolean'], nullable: false },
        { path: 'mixed', types: ['boolean', 'string'], nullable: false },
        { path: 'ex"otic', types: ['string'], nullable: false },
      ],
      5,
    );
    expect(chosen).toEqual([
      { path: ['mixed'], type: 'VARCHAR' },
      { path: ['paid'], type: 'BOOLEAN' },
      { path: ['qty'], type: 'BIGINT' },
      { path: ['total'], type: 'DOUBLE' },
      { path: ['address', 'city'], type: 'VARCHAR' },
    ]);
    expect(selectFieldColumns([{ path: 'a', types: ['string'], nullable: false }], 0)).toEqual([]);
  });
});
