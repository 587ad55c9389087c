import { describe, expect, it } from 'vitest';
import { fieldColumnNames, fieldJsonPath, fieldValueSql, selectFieldColumns } from './field-columns';

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
