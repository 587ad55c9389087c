import { decodeParameter, encodeValue, fieldOf, OID, pgTypeOf, sqlLiteral } from './pg-values';
import { bindParameters, isCatalogStatement, parameterCount, splitStatements, stripPublicSchema } from './pg-sql';

describe('types', () => {
  it('maps DuckDB result types to PostgreSQL OIDs', () => {
    expect(pgTypeOf('TIMESTAMP')).toEqual({ oid: OID.timestamptz, typmod: -1 });
    expect(pgTypeOf('BIGINT').oid).toBe(OID.int8);
    expect(pgTypeOf('DECIMAL(18,3)')).toEqual({ oid: OID.numeric, typmod: ((18 << 16) | 3) + 4 });
    expect(pgTypeOf('BLOB').oid).toBe(OID.bytea);
    expect(pgTypeOf('JSON').oid).toBe(OID.json);
    expect(pgTypeOf('VARCHAR').oid).toBe(OID.text);
    expect(pgTypeOf('BOOLEAN').oid).toBe(OID.bool);
    expect(pgTypeOf('DOUBLE').oid).toBe(OID.float8);
    expect(pgTypeOf('INTEGER').oid).toBe(OID.int4);
    expect(pgTypeOf('DATE').oid).toBe(OID.date);
    expect(pgTypeOf('INTEGER[]').oid).toBe(OID.json);
  });

  it('describes a binary column of a type without a binary encoder as text', () => {
    expect(fieldOf('n', 'DECIMAL(10,2)', 1)).toMatchObject({ typeOid: OID.text, format: 1 });
    expect(fieldOf('n', 'BIGINT', 1)).toMatchObject({ typeOid: OID.int8, typeSize: 8, format: 1 });
  });

  it('encodes binary values and decodes binary parameters symmetrically', () => {
    const ts = fieldOf('t', 'TIMESTAMP', 1);
    const encoded = encodeValue('2026-12-01 10:11:12.345678+00', ts)!;
    expect(decodeParameter(encoded, 1, OID.timestamptz)).toBe('2026-12-01 10:11:12.345678+00');
    expect(encodeValue('\\x00ff', fieldOf('d', 'BLOB', 1))).toEqual(Buffer.from([0, 255]));
    expect(encodeValue('-9007199254740993', fieldOf('n', 'BIGINT', 1))!.readBigInt64BE(0)).toBe(-9007199254740993n);
    expect(encodeValue('t', fieldOf('b', 'BOOLEAN', 1))).toEqual(Buffer.from([1]));
    expect(encodeValue(null, fieldOf('b', 'BOOLEAN', 1))).toBeNull();
    const date = encodeValue('2000-01-03', fieldOf('d', 'DATE', 1))!;
    expect(date.readInt32BE(0)).toBe(2);
    expect(decodeParameter(date, 1, OID.date)).toBe('2000-01-03');
  });

  it('quotes parameters as literals, never splicing them raw', () => {
    expect(sqlLiteral("x'); DROP TABLE t; --", 0)).toBe("'x''); DROP TABLE t; --'");
    expect(sqlLiteral('5', OID.int4)).toBe("CAST('5' AS BIGINT)");
    expect(sqlLiteral(null, OID.int4)).toBe('NULL');
    expect(sqlLiteral('\\xdeadbeef', OID.bytea)).toBe("from_hex('deadbeef')");
  });
});

describe('statement text', () => {
  it('splits at top-level semicolons only', () => {
    expect(splitStatements("SELECT ';'; SELECT $$a;b$$ ; -- c;\n SELECT \"x;y\" /* ; */")).toEqual(["SELECT ';'", 'SELECT $$a;b$$', '-- c;\n SELECT "x;y" /* ; */']);
    expect(splitStatements(' ; -- nothing\n')).toEqual([]);
  });

  it('binds $n outside strings and comments', () => {
    expect(parameterCount("SELECT $1, '$2', $3 -- $9")).toBe(3);
    expect(bindParameters("SELECT $1, '$1' /* $1 */ , $2", (n) => `<${n}>`)).toBe("SELECT <1>, '$1' /* $1 */ , <2>");
  });

  it('drops the public schema tools qualify stream tables with, not inside strings', () => {
    expect(stripPublicSchema(`SELECT "public"."orders"."payload" FROM "public"."orders" JOIN public.pay p ON true WHERE x = 'public.orders'`)).toBe(
      `SELECT "orders"."payload" FROM "orders" JOIN pay p ON true WHERE x = 'public.orders'`,
    );
    expect(stripPublicSchema('SELECT * FROM flux.public.orders, republic.x')).toBe('SELECT * FROM orders, republic.x');
  });

  it('routes catalog statements by the names they use, not by strings', () => {
    expect(isCatalogStatement('SELECT version()')).toBe(true);
    expect(isCatalogStatement('SELECT * FROM pg_catalog.pg_class')).toBe(true);
    expect(isCatalogStatement("SELECT table_name FROM information_schema.tables")).toBe(true);
    expect(isCatalogStatement("SELECT count(*) FROM orders WHERE payload->>'k' = 'pg_class'")).toBe(false);
  });
});
