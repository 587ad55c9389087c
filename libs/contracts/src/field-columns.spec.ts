import { describe, expect, it } from 'vitest';
import { archiveFieldColumn, FIELD_COLUMN_NAME, fieldColumnNames, fieldJsonPath, fieldValueSql, MAX_FIELD_COLUMN_MEAN_BYTES, selectFieldColumns } from './field-columns';

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

  it('with skipLongText, leaves out string paths whose values are long on average, keeps short ones and those of unknown length', () => {
    const lengths = (meanBytes: number) => ({ count: 100, meanBytes, maxBytes: meanBytes * 3 });
    const fields = [
      { path: 'at', types: ['string'], nullable: false, stringLengths: lengths(24) },
      { path: 'limit', types: ['string'], nullable: false, stringLengths: lengths(MAX_FIELD_COLUMN_MEAN_BYTES) },
      { path: 'note', types: ['string'], nullable: false, stringLengths: lengths(MAX_FIELD_COLUMN_MEAN_BYTES + 0.5) },
      { path: 'body', types: ['string'], nullable: true, stringLengths: lengths(900) },
      { path: 'mixed', types: ['integer', 'string'], nullable: false, stringLengths: lengths(300) },
      { path: 'old', types: ['string'], nullable: false }, // stored before lengths were measured
      { path: 'gone', types: ['string'], nullable: false, stringLengths: null },
      { path: 'n', types: ['integer'], nullable: false },
    ];
    expect(selectFieldColumns(fields, 32, { skipLongText: true })).toEqual([
      { path: ['at'], type: 'VARCHAR' },
      { path: ['gone'], type: 'VARCHAR' },
      { path: ['limit'], type: 'VARCHAR' },
      { path: ['n'], type: 'BIGINT' },
      { path: ['old'], type: 'VARCHAR' },
    ]);
    // without it (the gateway's typed columns), lengths change nothing
    expect(selectFieldColumns(fields).map((c) => c.path.join('.'))).toEqual(['at', 'gone', 'limit', 'mixed', 'n', 'note', 'old', 'body']);
  });

  it('gives the bound freed by a long text to the next path', () => {
    const fields = [
      { path: 'a', types: ['string'], nullable: false, stringLengths: { count: 1, meanBytes: 500, maxBytes: 500 } },
      { path: 'b', types: ['string'], nullable: false, stringLengths: { count: 1, meanBytes: 5, maxBytes: 5 } },
    ];
    expect(selectFieldColumns(fields, 1, { skipLongText: true })).toEqual([{ path: ['b'], type: 'VARCHAR' }]);
  });
});
